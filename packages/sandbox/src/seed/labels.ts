import type { SeedOrganization } from './people.js';
import { prngFor } from './prng.js';

/**
 * A label as `GET /v2/labels` lists it (`id`, `name`, `parent_id`: a label can group others, as in Qonto's
 * "lists"), plus the organization it belongs to (not served).
 */
export interface SeedLabel {
  organizationId: string;
  id: string;
  name: string;
  parent_id: string | null;
}

/** Parent labels and their children; a parent without children is a label on its own. */
const TREE: readonly (readonly [string, readonly string[]])[] = [
  ['Marketing', ['Ads', 'Events']],
  ['Travel', ['Train', 'Hotel', 'Meals']],
  ['Office', ['Rent', 'Supplies']],
  ['Client project', []],
];

/** The same label tree for every organization, each label with its own id, parents first. */
export function seedLabels(seed: number, organizations: SeedOrganization[]): SeedLabel[] {
  const prng = prngFor(seed, 'labels');
  return organizations.flatMap((organization) =>
    TREE.flatMap(([parent, children]) => {
      const parentLabel: SeedLabel = {
        organizationId: organization.id,
        id: prng.uuid(),
        name: parent,
        parent_id: null,
      };
      return [
        parentLabel,
        ...children.map((name) => ({
          organizationId: organization.id,
          id: prng.uuid(),
          name,
          parent_id: parentLabel.id,
        })),
      ];
    }),
  );
}
