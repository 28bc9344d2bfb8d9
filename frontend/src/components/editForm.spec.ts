import { describe, expect, it, vi } from 'vitest'

import type { Versioned } from '@/api/client'
import { ApiProblem } from '@/api/problem'

import { changes, useEditForm } from './editForm'

type Customer = { id: number; name: string; tax_id: string; credit_limit: string | null; roles?: string[] }

const problem = (status: number, code: string, errors?: Record<string, string[]>) =>
  new ApiProblem({ type: `urn:stockyard:problem:${code}`, title: code, status, detail: '', code, errors }, status)

const version = (data: Customer, etag: string): Versioned<Customer> => ({ data, etag })

describe('editing a record', () => {
  it('sends only what changed: masked and write-only fields are not echoed back', () => {
    const original = { name: 'Blue Oak', tax_id: '••••4567', credit_limit: '100.00', roles: ['sales'] }
    expect(changes(original, { ...original, name: 'Blue Oak Ltd', password: '' })).toEqual({ name: 'Blue Oak Ltd' })
    expect(changes(original, { ...original, credit_limit: null, roles: ['sales', 'viewer'] })).toEqual({
      credit_limit: null,
      roles: ['sales', 'viewer'],
    })
    expect(changes(original, { ...original, password: 's3cret-Pass' })).toEqual({ password: 's3cret-Pass' })
  })

  it('saves with the version it read, and then holds the new one', async () => {
    const first = { id: 1, name: 'Blue Oak', tax_id: '••••4567', credit_limit: null }
    const save = vi.fn(async (changed: Partial<Customer>) => version({ ...first, ...changed }, '"v2"'))
    const form = useEditForm({ load: async () => version(first, '"v1"'), save })
    await form.open()
    expect(await form.submit()).toEqual(first) // nothing changed: nothing sent
    expect(save).not.toHaveBeenCalled()
    form.values.value.name = 'Blue Oak Ltd'
    expect(await form.submit()).toMatchObject({ name: 'Blue Oak Ltd' })
    expect(save).toHaveBeenCalledWith({ name: 'Blue Oak Ltd' }, '"v1"')
    expect(form.etag.value).toBe('"v2"')
  })

  it('keeps field errors for the form to show at their fields', async () => {
    const invalid = problem(400, 'validation_error', { credit_limit: ['A valid number is required.'] })
    const form = useEditForm({
      load: async () => version({ id: 1, name: 'A', tax_id: '', credit_limit: null }, '"v1"'),
      save: () => Promise.reject(invalid),
    })
    await form.open()
    form.values.value.credit_limit = 'lots'
    expect(await form.submit()).toBeUndefined()
    expect((form.error.value as ApiProblem).field('credit_limit')).toEqual(['A valid number is required.'])
    expect(form.stale.value).toBe(false)
  })

  it('after a 412, reloads the other version and keeps this user’s edits over it', async () => {
    const versions = [version({ id: 1, name: 'A', tax_id: '', credit_limit: '10.00' }, '"v1"'), version({ id: 1, name: 'A', tax_id: '', credit_limit: '99.00' }, '"v2"')]
    const save = vi.fn().mockRejectedValueOnce(problem(412, 'precondition_failed')).mockImplementation(async (changed: Partial<Customer>, etag: string) => version({ ...versions[1]!.data, ...changed }, `${etag}+`))
    const form = useEditForm({ load: async () => versions.shift()!, save })
    await form.open()
    form.values.value.name = 'B'
    await form.submit()
    expect(form.stale.value).toBe(true)
    await form.reload()
    expect(form.stale.value).toBe(false)
    expect(form.values.value).toMatchObject({ name: 'B', credit_limit: '99.00' })
    await form.submit()
    expect(save).toHaveBeenLastCalledWith({ name: 'B' }, '"v2"')
  })
})
