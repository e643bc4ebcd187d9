/**
 * The analysts' commentary: plain text from the locale files with a little
 * markup. Everything is HTML-escaped first; then blank lines make paragraphs,
 * `**text**` makes bold (<b>) and `*text*` italics (<i>). Nothing else can reach
 * the page as markup.
 *
 * Emphasis is written <b> and <i>: Chromium tags <strong> and <em> with the
 * PDF 2.0 types Strong and Em, which PDF 1.x readers reject, dropping the
 * emphasised words from the tagged text.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function renderInline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*\n]+)\*\*/g, '<b>$1</b>')
    .replace(/\*([^*\n]+)\*/g, '<i>$1</i>')
    .replace(/\n/g, '<br>');
}

/** Commentary text → paragraphs of safe HTML. Empty text gives no paragraph. */
export function renderCommentary(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map(renderInline);
}
