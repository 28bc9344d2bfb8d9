/** Display helpers: the API sends decimals as strings; they are shown, never recomputed. */

export function quantity(value: string | null | undefined): string {
  if (value === null || value === undefined) return ''
  return value.replace(/\.?0+$/, '') || '0'
}

export function money(value: string | null | undefined, currency = ''): string {
  if (value === null || value === undefined) return ''
  const [whole = '0', fraction = ''] = value.split('.')
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${grouped}${fraction ? `.${fraction}` : ''}${currency ? ` ${currency}` : ''}`
}

export function dateTime(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : ''
}

export function today(): string {
  return new Date().toISOString().slice(0, 10)
}

export const STATUS_SEVERITY: Record<string, string> = {
  draft: 'secondary',
  submitted: 'info',
  confirmed: 'info',
  pending: 'secondary',
  partially_received: 'warn',
  partially_shipped: 'warn',
  received: 'success',
  shipped: 'success',
  delivered: 'success',
  closed: 'contrast',
  cancelled: 'danger',
  done: 'success',
  running: 'info',
  failed: 'danger',
}
