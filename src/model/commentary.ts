/**
 * The analysts' commentary: plain text from the locale files with a little
 * markup. Everything is HTML-escaped first; then blank lines make paragraphs,
 * `**text**` makes <strong> and `*text*` makes <em>. Nothing else can reach
 * the page as markup.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function renderInline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\*([^*\n]+)\*/g, '<em>$1</em>')
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
