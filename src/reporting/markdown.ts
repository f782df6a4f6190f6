/**
 * Text from outside the action (an environment name, an actor, GitHub's error messages) rendered
 * into an issue, a comment or the job summary. GitHub renders those as Markdown and notifies every
 * `@name` they hold, so such text is escaped here, and nowhere else.
 */

/** Invisible, so the text reads the same; between "@" and a name it stops the mention. */
const ZERO_WIDTH_JOINER = '\u200d'

/**
 * `text` as Markdown that shows as the same text: no code, link, HTML, entity, table cell break,
 * emphasis or mention. A backslash escape works for every ASCII punctuation character in GitHub
 * Markdown, inside a table cell too; it does not stop a mention, which is found in the rendered
 * text. "_" is left alone: inside a word (SECRET_KEY) it never emphasises, and at worst it
 * italicises a name, which cannot hide or fake anything.
 */
export function markdownText(text: string): string {
  return withoutMentions(text.replace(/[\\`*[\]<>|~&]/g, '\\$&'))
}

/**
 * `text` with every `@name` made inert, for places that are not Markdown but still notify or link
 * people (an issue title). People are named only through `issue-assignees`.
 */
export function withoutMentions(text: string): string {
  return text.replace(/@(?=[\p{L}\p{N}_-])/gu, `@${ZERO_WIDTH_JOINER}`)
}

/**
 * A value inside a hidden `<!-- ... -->` marker: in lower case, as GitHub compares repository,
 * owner and environment names ignoring case, so `Production` and `production` share one marker;
 * and with every character that could end the comment, split the marker or mention someone (`<`,
 * `>`, whitespace, control characters, `@`, and `%` itself) percent-encoded. Names without those
 * read as before.
 */
export function markerValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[%<>@\s\p{Cc}]/gu, (character) => encodeURIComponent(character))
}
