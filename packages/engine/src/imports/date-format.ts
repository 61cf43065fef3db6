/**
 * Parses a date in a simple pattern such as `dd/MM/yyyy HH:mm` (tokens yyyy, MM, dd, HH,
 * mm, ss; anything else must match literally) as UTC. Returns null when it does not fit.
 */
export function parseDateWithFormat(text: string, format: string): number | null {
  const tokens = /yyyy|MM|dd|HH|mm|ss/g;
  const fields: string[] = [];
  let pattern = '';
  let last = 0;
  for (let m = tokens.exec(format); m !== null; m = tokens.exec(format)) {
    pattern += escape(format.slice(last, m.index)) + (m[0] === 'yyyy' ? '(\\d{4})' : '(\\d{1,2})');
    fields.push(m[0]);
    last = m.index + m[0].length;
  }
  pattern += escape(format.slice(last));
  const match = new RegExp(`^${pattern}$`).exec(text.trim());
  if (match === null) return null;
  const value = (token: string, fallback: number): number => {
    const i = fields.indexOf(token);
    return i < 0 ? fallback : Number(match[i + 1]);
  };
  const year = value('yyyy', 1970);
  const month = value('MM', 1);
  const day = value('dd', 1);
  const hour = value('HH', 0);
  const minute = value('mm', 0);
  const second = value('ss', 0);
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(time);
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return null;
  return time;
}

function escape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
