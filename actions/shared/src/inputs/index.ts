export { InputError } from './input-error.js';
export {
  environmentInputs,
  readBoolean,
  readChoice,
  readKeyValueLines,
  readLines,
  readString,
  type InputSource,
} from './read-input.js';
