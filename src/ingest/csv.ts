/**
 * A small CSV field splitter for one line (RFC 4180 quoting, no embedded line
 * breaks). The common unquoted line takes the fast path.
 */

/** Fields of one CSV line, or null when its quoting is broken. */
export function parseCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return null;
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return null;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return null;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/** Lower-cased, trimmed header names → column index. */
export function parseCsvHeader(line: string): Map<string, number> | null {
  const fields = parseCsvLine(line.replace(/^\uFEFF/, ''));
  if (!fields) return null;
  return new Map(fields.map((name, index) => [name.trim().toLowerCase(), index]));
}
