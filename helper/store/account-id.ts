/** Account ids name files on disk, so they are checked against the protocol's pattern first. */
import * as v from 'valibot';
import { AccountStatusSchema } from '../../protocol';

export const AccountIdSchema = AccountStatusSchema.entries.id;

export function assertAccountId(id: string): void {
  if (!v.is(AccountIdSchema, id)) throw new Error(`Invalid account id ${JSON.stringify(id)}: lowercase letters, digits and dashes only.`);
}
