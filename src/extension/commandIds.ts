/** Every command id; package.json contributes the same list (a unit test checks it). */
export const COMMAND_IDS = [
  'minidote.showPanel',
  'minidote.toggleFlag',
  'minidote.enableFlag',
  'minidote.disableFlag',
  'minidote.addToSet',
  'minidote.removeFromSet',
  'minidote.incrementCounter',
  'minidote.decrementCounter',
  'minidote.assignRegister',
  'minidote.connectPeer',
  'minidote.disconnectPeer',
  'minidote.startListening',
  'minidote.stopListening',
  'minidote.setTeamSecret',
  'minidote.copyJoinLink',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];
