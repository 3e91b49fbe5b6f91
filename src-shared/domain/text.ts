/**
 * A source text as a message or label quotes it: cut to `max` characters (an ellipsis marks the
 * cut), so a hostile or mistyped value of thousands of characters leaves Pending validation, the
 * audit log and notifications readable. The record itself keeps the whole text.
 */
export function cutText(text: string, max = 80): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
