#pragma once

#include "messagelog.h"
#include "messages.h"

#include <QList>

class Conversation;

// Private conversations that last (protocol section 19): a private message
// as an entry, and what a page of history adds above what is shown. The
// same unit as the browser's privatechats.js; the session asks for the
// pages and shows what they bring.
namespace PrivateChats {

// A `private` event (or a page's message) as the view shows it, for `me`.
LogEntry privateEntry(const Confab::Protocol::PrivateMessage &message, const QString &me);
// The entries of a page said before the first one shown, oldest first;
// every message of the page counts as shown from now on.
QList<LogEntry> olderThanShown(Conversation *conversation, const QList<Confab::Protocol::PrivateMessage> &messages,
                               const QString &me);

} // namespace PrivateChats
