/**
 * RFC 9457 problem details as the API answers every error, and their mapping onto form
 * fields: `errors` names fields with dotted paths (`lines.0.quantity`).
 */
import type { components } from './schema'

export type Problem = components['schemas']['Problem']

/** An API answer that was not 2xx, carrying the problem document the server sent. */
export class ApiProblem extends Error {
  readonly problem: Problem
  readonly status: number

  constructor(problem: Problem, status: number) {
    super(problem.detail || problem.title)
    this.name = 'ApiProblem'
    this.problem = problem
    this.status = status
  }

  /** Messages for one field (`"quantity"`, `"lines.2.quantity"`), empty when none. */
  field(path: string): string[] {
    return this.problem.errors?.[path] ?? []
  }

  /** Messages whose field is not among `shown`: they belong in a banner above the form. */
  unplaced(shown: Iterable<string>): string[] {
    const placed = new Set(shown)
    return Object.entries(this.problem.errors ?? {})
      .filter(([path]) => !placed.has(path))
      .flatMap(([path, messages]) => messages.map((message) => `${path}: ${message}`))
  }
}

/** Reads a failed response's body as a problem, whatever the server managed to send. */
export async function problemOf(response: Response): Promise<ApiProblem> {
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    body = null
  }
  return problemFrom(body, response)
}

/** The problem a failed response's (already parsed) body describes; a body that is not
 * problem+json (a proxy's error page) is described by the status alone. */
export function problemFrom(body: unknown, response: Response): ApiProblem {
  const candidate = body as Partial<Problem> | null
  if (candidate && typeof candidate.code === 'string' && typeof candidate.title === 'string') {
    return new ApiProblem(candidate as Problem, response.status)
  }
  return new ApiProblem(
    {
      type: 'about:blank',
      title: response.statusText || 'Request failed',
      status: response.status,
      detail: `The server answered ${response.status}.`,
      code: response.status >= 500 ? 'server_error' : 'unexpected_response',
    },
    response.status,
  )
}
