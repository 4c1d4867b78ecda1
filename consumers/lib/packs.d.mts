/** What the type checker of a TypeScript caller (readmes/) knows of packs.mjs; the JSDoc there is the reference. */
export interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

export function packFileName(name: string): string;

export function packPublishedPackages(root: string, packsDir: string): Promise<Map<string, Manifest>>;

export function staleLockRecords(lockFile: string, manifests: Map<string, Manifest>): string[];

export function relockedText(lockFile: string, manifests: Map<string, Manifest>): string;

export function withoutLocalIntegrity(lockFile: string): string;
