/** Reports: one JSON shape (`ReportTable`) for every report, and their file downloads. */
import { accessToken } from '@/auth/session'

import { api, ok, type Schemas } from './client'
import { problemOf } from './problem'

export type ReportTable = Schemas['ReportTable']
export type ReportName = Schemas['ReportEnum']
export type ReportQuery = Record<string, string | number | undefined>

function clean(query: ReportQuery): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query)
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => [key, String(value)]),
  )
}

export async function runReport(name: ReportName, query: ReportQuery): Promise<ReportTable> {
  // Every report shares the sales report's response type; the path picks the report.
  const path = `/api/v1/reports/${name}/` as '/api/v1/reports/sales/'
  const table = await ok(api.GET(path, { params: { query: clean(query) } }))
  if (typeof table === 'string') throw new Error('The report did not answer JSON.')
  return table
}

/** Downloads the report as a CSV or XLSX file, saved under the name the server gives. */
export async function downloadReport(name: ReportName, query: ReportQuery, format: 'csv' | 'xlsx'): Promise<string> {
  const token = await accessToken()
  const search = new URLSearchParams({ ...clean(query), format })
  const response = await fetch(`/api/v1/reports/${name}/?${search}`, {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  })
  if (!response.ok) throw await problemOf(response)
  const disposition = response.headers.get('Content-Disposition') ?? ''
  const fileName = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${name}.${format}`
  saveBlob(await response.blob(), fileName)
  return fileName
}

export function saveBlob(blob: Blob, fileName: string): void {
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = fileName
  link.click()
  URL.revokeObjectURL(link.href)
}

/** Fetches a file the API serves to its owner (an export's `download_url`) and saves it. */
export async function downloadFile(url: string, fileName: string): Promise<void> {
  const token = await accessToken()
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!response.ok) throw await problemOf(response)
  saveBlob(await response.blob(), fileName)
}
