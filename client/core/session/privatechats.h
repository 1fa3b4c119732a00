#pragma once

#include "messagelog.h"
#include "messages.h"
#include "sessioncore.h"

#include <QList>

class Conversation;

namespace ClientSession {

class ReadMarkers;

// Private conversations that last (protocol section 19): a private message
// as an entry, and what a page of history adds above what is shown. The
// same rules as the browser's privatechats.js, as static functions; and the
// session's side: opening a conversation (with what was said before),
// whispers, catching up after a reconnect, pages above what is shown.
class PrivateChats final
{
public:
    PrivateChats(SessionCore &session, ReadMarkers &readMarkers)
        : m_session(session)
        , m_readMarkers(readMarkers)
    {
    }

    // Opens (without sending anything to `nick`) the conversation with
    // `nick`; a new one asks for what was said before.
    Conversation *open(const QString &nick);
    void whisper(const QString &nick, const QString &text);
    // /msg typed in `origin`: opens the conversation (if it is not open
    // yet, it closes again when nobody by that nick is online, and `origin`
    // says why).
    void whisperFrom(Conversation *origin, const QString &nick, const QString &text);
    // Back after a drop: what was said while away, from the last seq shown.
    void catchUp(Conversation *conversation);
    void onPrivate(const Confab::Protocol::PrivateMessage &message);
    void onPrivatePage(const Confab::Protocol::PrivatePage &page, const SessionCore::Pending &pending);
    // An error answering a request that was for `where`: where to say it
    // (a first /msg to nobody closes its conversation: where /msg was typed).
    Conversation *refused(const Confab::Protocol::Error &problem, const SessionCore::Pending &pending,
                          Conversation *where);

    // A `private` event (or a page's message) as the view shows it, for `me`.
    static LogEntry privateEntry(const Confab::Protocol::PrivateMessage &message, const QString &me);
    // The entries of a page said before the first one shown, oldest first;
    // every message of the page counts as shown from now on.
    static QList<LogEntry> olderThanShown(Conversation *conversation,
                                          const QList<Confab::Protocol::PrivateMessage> &messages, const QString &me);

private:
    SessionCore &m_session;
    ReadMarkers &m_readMarkers; // a page carries the marker
};

} // namespace ClientSession
