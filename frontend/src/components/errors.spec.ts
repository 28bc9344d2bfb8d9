import { mount } from '@vue/test-utils'
import PrimeVue from 'primevue/config'
import { describe, expect, it } from 'vitest'

import { ApiProblem } from '@/api/problem'

import FieldErrors from './FieldErrors.vue'
import ProblemMessage from './ProblemMessage.vue'

const problem = new ApiProblem(
  {
    type: 'urn:stockyard:problem:validation_error',
    title: 'Invalid input',
    status: 400,
    detail: 'lines.1.quantity: Must be greater than 0.',
    code: 'validation_error',
    errors: { 'lines.1.quantity': ['Must be greater than 0.'], customer: ['This field is required.'], non_field_errors: ['Odd.'] },
  },
  400,
)

describe("forms map a problem's errors to their fields", () => {
  it('shows at a field only the messages for its path', () => {
    const atLine1 = mount(FieldErrors, { props: { error: problem, path: 'lines.1.quantity' } })
    expect(atLine1.text()).toBe('Must be greater than 0.')
    expect(mount(FieldErrors, { props: { error: problem, path: 'lines.0.quantity' } }).text()).toBe('')
    expect(mount(FieldErrors, { props: { error: new Error('network'), path: 'customer' } }).text()).toBe('')
  })

  it('puts the messages no field shows in the banner, with the title', () => {
    const banner = mount(ProblemMessage, {
      props: { error: problem, placed: ['lines.1.quantity', 'customer'] },
      global: { plugins: [PrimeVue] },
    })
    expect(banner.text()).toContain('Invalid input')
    expect(banner.text()).toContain('non_field_errors: Odd.')
    expect(banner.text()).not.toContain('This field is required.')
  })

  it('renders a 403 as not allowed, with the server detail', () => {
    const forbidden = new ApiProblem(
      { type: 'x', title: 'Permission denied', status: 403, detail: 'You do not have permission to perform this action.', code: 'permission_denied' },
      403,
    )
    const banner = mount(ProblemMessage, { props: { error: forbidden }, global: { plugins: [PrimeVue] } })
    expect(banner.text()).toContain('Not allowed')
    expect(banner.text()).toContain('You do not have permission')
  })
})
