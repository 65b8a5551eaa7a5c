/**
 * The wire form of a bus message between processes, shared by the Pub/Sub and the Streams paths
 * of the Redis transport: JSON, signed when the deployment has a bus secret. Decoding checks the
 * signature before parsing and the envelope's shape after, and says what was wrong, so that the
 * receiver can count and log the rejected frame.
 */
import { envelopeProblem, type Envelope } from '../message.ts';
import type { FrameSigner } from './signing.ts';

export function encodeFrame(message: Envelope, signer: FrameSigner | undefined): string {
  const json = JSON.stringify(message);
  return signer ? signer.sign(json) : json;
}

/** The envelope in a frame, or why there is none and the text to report. */
export type DecodedFrame = { envelope: Envelope } | { problem: string; raw: string };

export function decodeFrame(frame: string, signer: FrameSigner | undefined): DecodedFrame {
  const raw = signer ? signer.open(frame) : frame;
  if (raw === null) return { problem: 'missing or wrong signature', raw: frame };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { problem: 'message is not valid JSON', raw };
  }
  const problem = envelopeProblem(parsed);
  return problem ? { problem, raw } : { envelope: parsed as Envelope };
}
