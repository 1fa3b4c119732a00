// A stand-in for the browser session's #host (resources/web/session.js):
// what a feature class may use of the session, recorded, so that each
// feature is tested alone, without a browser or a server (the desktop's
// features have the scripted server for the same).

import { nameKey } from '../../resources/web/conversation.js';

export function recordingHost({ conversations = [], nick = 'me', welcomed = true, active = null } = {}) {
  const record = {
    sent: [], // requests with an id: { type, fields, purpose, conversation, origin }
    told: [], // notices without an id: { type, ...fields }
    lines: [], // notices and errors written into conversations
    events: [], // typed events: { conversation, event, from, text }
    emitted: [], // events for the view: { type, ...detail }
    typing: [], // { conversation, nick, typing }
    closed: [],
    cameBack: [], // { nick, reason }: left and came straight back
  };
  const host = {
    nick: () => nick,
    active: () => active,
    welcomed: () => welcomed,
    everWelcomed: () => welcomed,
    isSeen: (conversation) => conversation === active,
    conversations: () => conversations,
    room: (name) => conversations.find((c) => c.key === `room:${nameKey(name)}`) ?? null,
    privateChat: (peer) => conversations.find((c) => c.key === `private:${nameKey(peer)}`) ?? null,
    addConversation: (conversation, focus) => {
      conversations.push(conversation);
      record.emitted.push({ type: 'conversation-opened', conversation, focus });
    },
    close: (conversation) => {
      conversations.splice(conversations.indexOf(conversation), 1);
      record.closed.push(conversation);
    },
    focus: (conversation) => record.emitted.push({ type: 'focus', conversation }),
    addEntry: (conversation, entry) => conversation.entries.push(entry),
    event: (conversation, event, from = '', text = '') => record.events.push({ conversation, event, from, text }),
    notice: (_, text) => record.lines.push(text),
    error: (_, text) => record.lines.push(`error: ${text}`),
    setTyping: (conversation, who, typing) => record.typing.push({ conversation, nick: who, typing }),
    online: (context) => {
      if (!welcomed && context) record.lines.push('error: Not connected');
      return welcomed;
    },
    send: (type, fields, purpose = 'plain', conversation = null, origin = undefined) =>
      record.sent.push({ type, fields, purpose, conversation, origin }),
    tell: (type, fields) => record.told.push({ type, ...fields }),
    sendText: (conversation, text) => record.sent.push({ type: 'text', fields: { text }, purpose: 'plain', conversation }),
    emit: (type, detail = {}) => record.emitted.push({ type, ...detail }),
    comeBackAs: (as, reason) => record.cameBack.push({ nick: as, reason }),
  };
  return { host, ...record };
}
