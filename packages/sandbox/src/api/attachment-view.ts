import type { SandboxContext } from '../context.js';
import { presignedFileUrl } from '../files.js';
import type { SeedAttachment } from '../seed/index.js';

/**
 * An attachment as `GET /v2/attachments/{id}` returns it: Qonto's fields, a fresh 30-minute `url`, and
 * `probative_attachment` with status `unavailable` (its file fields are present only when `available`: code that
 * reads `probative_attachment.url` unconditionally meets the case here).
 */
export function attachmentView(ctx: SandboxContext, attachment: SeedAttachment) {
  return {
    id: attachment.id,
    created_at: attachment.created_at,
    file_name: attachment.file_name,
    file_size: attachment.bytes.length,
    file_content_type: attachment.file_content_type,
    url: presignedFileUrl(ctx, attachment),
    probative_attachment: { status: 'unavailable' },
  };
}

/** Whether an attachment shows yet: uploads do once Qonto's background processing (emulated) is done. */
function isVisible(ctx: SandboxContext, attachment: SeedAttachment): boolean {
  return attachment.visibleAt === undefined || attachment.visibleAt <= ctx.clock.now();
}

/** Any attachment by id, shown or not, for the file URLs (a URL handed out stays valid its 30 minutes). */
export function anyAttachment(ctx: SandboxContext, id: string): SeedAttachment | undefined {
  return ctx.data.attachments.find((a) => a.id === id) ?? ctx.uploads.find((a) => a.id === id);
}

/** The attachment with this id in this organization, once it shows. */
export function findAttachment(
  ctx: SandboxContext,
  organizationId: string,
  id: string,
): SeedAttachment | undefined {
  const found = anyAttachment(ctx, id);
  return found && found.organizationId === organizationId && isVisible(ctx, found) ? found : undefined;
}

/** A transaction's attachments that show, seeded ones first, then uploads in upload order. */
export function attachmentsOf(ctx: SandboxContext, transactionId: string): SeedAttachment[] {
  return [...ctx.data.attachments, ...ctx.uploads].filter(
    (a) => a.transactionId === transactionId && isVisible(ctx, a),
  );
}
