/** A name a README's snippet takes from one of the project's modules. */
export interface ShownImport {
  /** The module specifier, e.g. `@qonto-oauth/sandbox/testing`. */
  specifier: string;
  /** The exported name (`default` for a default import). */
  name: string;
  /** Imported with `type`: it only has to exist in the declarations. */
  typeOnly: boolean;
}

/** The names a snippet imports or requires from modules whose specifier starts with `prefix`. */
export function shownImports(code: string, prefix: string): ShownImport[] {
  const shown: ShownImport[] = [];
  const importStatement = /\bimport\s+(type\s+)?([\w$]+)?\s*,?\s*(?:\{([^}]*)\})?\s*from\s*['"]([^'"]+)['"]/g;
  for (const match of code.matchAll(importStatement)) {
    const [, wholeTypeOnly, defaultName, named, specifier] = match;
    if (!specifier!.startsWith(prefix)) continue;
    if (defaultName !== undefined)
      shown.push({ specifier: specifier!, name: 'default', typeOnly: !!wholeTypeOnly });
    for (const name of namedList(named)) {
      shown.push({ specifier: specifier!, name: name.name, typeOnly: !!wholeTypeOnly || name.typeOnly });
    }
  }
  const exportFrom = /\bexport\s+(type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g;
  for (const [, wholeTypeOnly, named, specifier] of code.matchAll(exportFrom)) {
    if (!specifier!.startsWith(prefix)) continue;
    for (const name of namedList(named)) {
      shown.push({ specifier: specifier!, name: name.name, typeOnly: !!wholeTypeOnly || name.typeOnly });
    }
  }
  const requireCall = /\bconst\s+\{([^}]*)\}\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const [, named, specifier] of code.matchAll(requireCall)) {
    if (!specifier!.startsWith(prefix)) continue;
    for (const part of named!.split(',')) {
      const name = part.split(':')[0]!.trim();
      if (name !== '') shown.push({ specifier: specifier!, name, typeOnly: false });
    }
  }
  return shown;
}

function namedList(named: string | undefined): { name: string; typeOnly: boolean }[] {
  return (named ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const typeOnly = /^type\s+/.test(part);
      return {
        name: part
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!
          .trim(),
        typeOnly,
      };
    });
}
