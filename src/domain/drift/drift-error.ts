import { MlwardenError } from '../errors.js';

/** The one way drift code rejects input: kind 'invalid', naming the field and the reason. */
export function invalidDriftInput(field: string, reason: string): MlwardenError {
  return new MlwardenError('invalid', `${field}: ${reason}`, { problems: [{ field, reason }] });
}
