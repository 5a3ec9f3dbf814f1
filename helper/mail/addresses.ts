/**
 * Address fields (From, To) as read from a bounded slice of the header: parsed with nodemailer's
 * addressparser before the encoded words in names are decoded (a decoded name may hold commas).
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { Address } from '../../protocol';
import { decodeHeader, oneLine } from './mime-text';

const MAX_ADDRESS_CHARS = 1024;

export interface AddressList {
  /** The first `max` addresses. */
  list: Address[];
  /** Addresses counted in what was read; with `cut`, there are more. */
  total: number;
  cut: boolean;
}

/** With `cut`, the last address read may be a fragment: it is left out of the list and the count. */
export function parseAddressList(value: string, cut: boolean, max: number): AddressList {
  const parsed = addressparser(value, { flatten: true });
  const whole = cut ? parsed.slice(0, -1) : parsed;
  return { list: whole.slice(0, max).map((entry) => toAddress(entry)), total: whole.length, cut };
}

/**
 * The sender: the first address. When the field was cut inside it (a display name longer than
 * the slice) what was read of the name is still shown, marked cut, but no address: a fragment
 * of one would pass for the real thing.
 */
export function parseSender(value: string, cut: boolean): { from: Address; cut: boolean } {
  const first = addressparser(value, { flatten: true })[0];
  if (!first) return { from: {}, cut };
  return { from: toAddress(cut ? { name: first.name || first.address, address: '' } : first, cut), cut };
}

function toAddress(entry: { name: string; address: string }, cut = false): Address {
  const out: Address = {};
  const name = decodeHeader(entry.name, cut).slice(0, MAX_ADDRESS_CHARS);
  const address = oneLine(entry.address).slice(0, MAX_ADDRESS_CHARS);
  if (name) out.name = name;
  if (address) out.address = address;
  return out;
}
