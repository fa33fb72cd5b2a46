/** The request port's and the publish port's messages, typed, each with its parser (docs/wire.md). */
export { asLoad, parseNonce, parseCommand } from './fields.js';
export { parseAuthLoad, type AuthLoad } from './auth-load.js';
export {
  parseAesHead,
  parseReturnLoad,
  parseMinionEventLoad,
  parsePresenceLoad,
  parsePillarLoad,
  type AesRequestHead,
  type ReturnLoad,
  type MinionEvent,
  type MinionEventLoad,
  type PresenceLoad,
  type PillarLoad,
} from './aes-request.js';
export {
  parsePublishKey,
  parsePublishRequest,
  parsePublishSerial,
  parsePublishLoad,
  type PublishRequest,
  type PublishLoad,
} from './publish-load.js';
export { parsePublishReply, type PublishReply } from './publish-reply.js';
export {
  PEER_COMMANDS,
  parsePeerPublish,
  parsePeerRun,
  parsePubRet,
  type PeerPublishLoad,
  type PeerRunLoad,
} from './peer-request.js';
export { FILE_COMMANDS, parseFileRequest, type FileRequest } from './file-request.js';
export {
  parseFileList,
  parseFileHash,
  parseServedChunk,
  parseFoundFile,
  parseMasterOpts,
  type FoundFile,
  type FileListRequest,
  type FilePathRequest,
  type ServeFileRequest,
  type MasterOptsRequest,
  type FileServerRequest,
  type FileHash,
  type ServedChunk,
} from './fileserver.js';
export {
  MINE_COMMANDS,
  parseMineRequest,
  parseMineGetReply,
  type MineRequest,
  type MineStoreRequest,
  type MineGetRequest,
  type MineDeleteRequest,
  type MineFlushRequest,
} from './mine.js';
