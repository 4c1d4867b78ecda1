/** The repository root, as a file URL ending with a slash. */
export const ROOT = new URL('../../', import.meta.url);
