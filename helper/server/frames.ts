/**
 * Everything the helper sends goes through here: checked against the protocol's schema (strict
 * objects, so a stray field such as a password can never ride along) and the frame-size cap the
 * extension enforces, then encoded once, so a fan-out encodes an event once for all clients.
 */
import * as v from 'valibot';
import { MAX_SERVER_FRAME_BYTES, ServerMessageSchema, type ErrorCode, type ErrorMessage, type ServerMessage } from '../../protocol';

export type Encoded = { ok: true; frame: Buffer } | { ok: false; problem: string };

export function errorReply(code: ErrorCode, message: string, id?: string): ErrorMessage {
  return { type: 'error', code, message: message.slice(0, 1024), ...(id !== undefined ? { id } : {}) };
}

export function encodeServerMessage(message: ServerMessage): Encoded {
  const checked = v.safeParse(ServerMessageSchema, message);
  if (!checked.success) {
    const issue = checked.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') || 'message';
    // The issue's type, not its message: valibot's messages quote the offending value.
    return { ok: false, problem: `${message.type} does not match the protocol at ${where} (${issue.type})` };
  }
  const frame = Buffer.from(JSON.stringify(checked.output), 'utf8');
  if (frame.length > MAX_SERVER_FRAME_BYTES) return { ok: false, problem: `${message.type} is ${frame.length} bytes, over the ${MAX_SERVER_FRAME_BYTES}-byte cap` };
  return { ok: true, frame };
}
