export {
  CREDENTIAL_SERVICE,
  InvalidAccountNameError,
  InvalidSecretError,
  connectionAccount,
  deleteConnectionSecrets,
  type CredentialStore,
} from './credential-store';
export { InMemoryCredentialStore } from './in-memory';
export {
  KeychainUnavailableError,
  KeytarCredentialStore,
  classifyKeychainError,
  type KeychainProblem,
  type KeytarCredentialStoreOptions,
} from './keytar-store';
