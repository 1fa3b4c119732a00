#include "messageview.h"

#include "bidi.h"
#include "conversation.h"
#include "names.h"
#include "nickcolors.h"

#include <QContextMenuEvent>
#include <QDateTime>
#include <QDesktopServices>
#include <QLocale>
#include <QMenu>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>

using namespace Qt::StringLiterals;

MessageView::MessageView(Conversation *conversation, const QString &ownNick, QWidget *parent)
    : QTextBrowser(parent)
    , m_conversation(conversation)
    , m_ownNick(ownNick)
{
    // Web links open in the browser; "show"/"hide" on a run of events here.
    setOpenLinks(false);
    connect(this, &QTextBrowser::anchorClicked, this, &MessageView::onAnchor);
    setReadOnly(true);
    document()->setDocumentMargin(8);
    setPlaceholderText(conversation->type() == Conversation::Type::Room
                               ? tr("No messages yet. Say hello!")
                               : tr("No messages yet. What you write here only %1 reads.").arg(conversation->name()));
    connect(conversation, &Conversation::newMessagesRowChanged, this, &MessageView::rebuild);
    MessageLog *log = conversation->log();
    connect(log, &MessageLog::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
        if (first == 0 && m_conversation->log()->rowCount() > last + 1)
            rebuild(); // older history came in at the top
        else
            appendRows(first, last);
    });
    // An edit, a deletion or a reaction: drawn again in place.
    connect(log, &MessageLog::dataChanged, this, &MessageView::rebuild);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (value == verticalScrollBar()->minimum() && verticalScrollBar()->maximum() > 0)
            emit nearTop();
    });
    rebuild();
}

bool MessageView::isDark() const
{
    return palette().color(QPalette::Base).lightness() < 128;
}

QString MessageView::linkify(const QString &text)
{
    static const QRegularExpression url(uR"((https?://|www\.)[^\s<>"']+[^\s<>"'.,;:!?)\]])"_s,
                                        QRegularExpression::CaseInsensitiveOption);
    QString html;
    qsizetype position = 0;
    auto it = url.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        html += text.mid(position, match.capturedStart() - position).toHtmlEscaped();
        const QString shown = match.captured();
        const QString target = shown.startsWith("www."_L1, Qt::CaseInsensitive) ? u"http://"_s + shown : shown;
        html += u"<a href=\"%1\">%2</a>"_s.arg(target.toHtmlEscaped(), shown.toHtmlEscaped());
        position = match.capturedEnd();
    }
    html += text.mid(position).toHtmlEscaped();
    return html.replace(u'\n', "<br>"_L1);
}

QString MessageView::entryHtml(const LogEntry &entry, bool dark, const QString &ownNick, bool continued,
                               const QString &room)
{
    const QString time = QDateTime::fromMSecsSinceEpoch(entry.ts).toLocalTime().toString(u"HH:mm"_s);
    const QString stamp = u"<span style=\"color:%1\">%2</span> "_s.arg(dark ? u"#888"_s : u"#999"_s, time);
    switch (entry.kind) {
    case LogEntry::Kind::Notice:
        return stamp + u"<span style=\"color:%1; font-style:italic\">— %2</span>"_s.arg(
                               dark ? u"#9a9a9a"_s : u"#777"_s, linkify(Bidi::isolate(entry.text)));
    case LogEntry::Kind::Error:
        return stamp + u"<span style=\"color:%1\">⚠ %2</span>"_s.arg(dark ? u"#ff6b6b"_s : u"#c00"_s,
                                                                      linkify(entry.text));
    case LogEntry::Kind::Event:
        if (!entry.isAmbient()) { // moderation: in sight, as a notice
            return stamp + u"<span style=\"color:%1; font-style:italic\">— %2</span>"_s.arg(
                                   dark ? u"#9a9a9a"_s : u"#777"_s, linkify(Bidi::isolate(eventText(entry, room))));
        }
        return stamp + u"<span style=\"color:%1; font-size:small\">→ %2</span>"_s.arg(
                               dark ? u"#8a8a8a"_s : u"#8c8c8c"_s, linkify(Bidi::isolate(eventText(entry, room))));
    case LogEntry::Kind::Message:
        break;
    }
    const QString nick = u"<span style=\"color:%1; font-weight:%2\">%3</span>"_s.arg(
            nickColor(entry.from, dark).name(), entry.own ? u"bold"_s : u"normal"_s, entry.from.toHtmlEscaped());
    const QString dim = dark ? u"#8a8a8a"_s : u"#888"_s;
    // The next message of the same person in the same minute goes under the
    // first, without the nick again.
    const QString speaker = continued ? QString() : avatarHtml(entry.from, dark) + u" "_s + nick + u": "_s;
    if (entry.deleted)
        return stamp + speaker + u"<span style=\"color:%1; font-style:italic\">%2</span>"_s.arg(dim, tr("message deleted"));
    QString line = entry.action
                           ? stamp + u"<i>* "_s + nick + u" <span style=\"white-space:pre-wrap\">"_s
                                     + linkify(Bidi::isolate(entry.text)) + u"</span></i>"_s
                           : stamp + speaker + u"<span style=\"white-space:pre-wrap\">"_s
                                     + linkify(Bidi::isolate(entry.text)) + u"</span>"_s;
    if (entry.edited)
        line += u" <span style=\"color:%1; font-size:small\">%2</span>"_s.arg(dim, tr("(edited)"));
    if (entry.mention)
        line = u"<span style=\"background-color:%1\">%2</span>"_s.arg(dark ? u"#4a3b00"_s : u"#fff3b0"_s, line);
    if (!entry.reactions.isEmpty())
        line += u"<br>"_s + reactionsHtml(entry, ownNick, dark);
    return line;
}

QString MessageView::eventText(const LogEntry &entry, const QString &room)
{
    switch (entry.event) {
    case LogEntry::Event::Joined:
        return tr("%1 joined").arg(entry.from);
    case LogEntry::Event::Left:
        return entry.text.isEmpty() ? tr("%1 left").arg(entry.from) : tr("%1 left (%2)").arg(entry.from, entry.text);
    case LogEntry::Event::NickChanged:
        return entry.own ? tr("You are now known as %1").arg(entry.text)
                         : tr("%1 is now known as %2").arg(entry.from, entry.text);
    case LogEntry::Event::TopicChanged:
        return entry.text.isEmpty() ? tr("%1 cleared the topic").arg(entry.from)
                                    : tr("%1 set the topic: %2").arg(entry.from, entry.text);
    case LogEntry::Event::Topic:
        return tr("Topic: %1").arg(entry.text);
    case LogEntry::Event::Disconnected:
        return tr("Disconnected: %1").arg(entry.text);
    case LogEntry::Event::Reconnected:
        return tr("Reconnected");
    case LogEntry::Event::AwayChanged:
        return entry.text.isEmpty() ? tr("%1 is back").arg(entry.from) : tr("%1 is away: %2").arg(entry.from, entry.text);
    case LogEntry::Event::Waiting:
        return tr("%1 is offline: they will get it when they log in").arg(entry.from);
    case LogEntry::Event::RoomClaimed:
        return entry.own ? tr("You now own #%1").arg(room) : tr("%1 now owns #%2").arg(entry.from, room);
    case LogEntry::Event::RoleChanged: {
        const QString whom = entry.own ? tr("you") : entry.target;
        if (entry.text == "owner"_L1)
            return tr("%1 made %2 the owner").arg(entry.from, whom);
        if (entry.text == "op"_L1)
            return tr("%1 made %2 an op").arg(entry.from, whom);
        return tr("%1 made %2 a member").arg(entry.from, whom);
    }
    case LogEntry::Event::Kicked:
        return entry.text.isEmpty() ? tr("%1 was removed from #%2 by %3").arg(entry.target, room, entry.from)
                                    : tr("%1 was removed from #%2 by %3: %4").arg(entry.target, room, entry.from, entry.text);
    case LogEntry::Event::Muted:
        return entry.when > 0 ? tr("%1 muted %2 until %3").arg(entry.from, entry.target, clockTime(entry.when))
                              : tr("%1 muted %2").arg(entry.from, entry.target);
    case LogEntry::Event::Unmuted:
        return entry.own ? tr("%1 let you speak again").arg(entry.from)
                         : tr("%1 let %2 speak again").arg(entry.from, entry.target);
    case LogEntry::Event::ModesChanged: {
        QStringList what;
        for (const QString &change : entry.text.split(u' ', Qt::SkipEmptyParts)) {
            if (change == "+i"_L1)
                what << tr("made the room invitation only");
            else if (change == "-i"_L1)
                what << tr("opened the room to everyone");
            else if (change == "+k"_L1)
                what << tr("set a key for joining");
            else if (change == "-k"_L1)
                what << tr("removed the key");
            else if (change == "+t"_L1)
                what << tr("locked the topic (only ops may change it)");
            else if (change == "-t"_L1)
                what << tr("unlocked the topic");
        }
        if (what.isEmpty())
            what << tr("left the modes as they were");
        return tr("%1 %2").arg(entry.from, what.join(u", "_s));
    }
    case LogEntry::Event::None:
        break;
    }
    return entry.text;
}

QString MessageView::clockTime(qint64 ts)
{
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ts);
    return when.date() == QDate::currentDate() ? when.toString(u"HH:mm"_s) : when.toString(u"yyyy-MM-dd HH:mm"_s);
}

QString MessageView::collapsedRunHtml(const QList<LogEntry> &run, const QString &link, bool dark)
{
    // The first few in words, so that a glance tells what happened.
    constexpr int Named = 3;
    QStringList named;
    for (qsizetype i = 0; i < run.size() && i < Named; ++i)
        named << eventText(run.at(i));
    QString summary = tr("%n room events: %1", nullptr, int(run.size())).arg(named.join(u", "_s));
    if (run.size() > Named)
        summary += u", …"_s;
    const QString time = QDateTime::fromMSecsSinceEpoch(run.last().ts).toLocalTime().toString(u"HH:mm"_s);
    return u"<span style=\"color:%1\">%2</span> <span style=\"color:%3; font-size:small\">→ %4</span> "
           "<a href=\"%5\" style=\"font-size:small\">%6</a>"_s.arg(dark ? u"#888"_s : u"#999"_s, time,
                                                                    dark ? u"#8a8a8a"_s : u"#8c8c8c"_s,
                                                                    Bidi::isolate(summary).toHtmlEscaped(), link,
                                                                    tr("show"));
}

QString MessageView::avatarHtml(const QString &nick, bool dark)
{
    // The first letter on the nick's own colour, as chat apps draw a
    // picture-less avatar.
    const QString initial = nick.isEmpty() ? QString() : QString(nick.at(0)).toUpper();
    Q_UNUSED(dark); // the light palette's shade carries white on either background
    return u"<span style=\"background-color:%1; color:#ffffff; font-weight:bold\">&nbsp;%2&nbsp;</span>"_s.arg(
            nickColor(nick, false).name(), initial.toHtmlEscaped());
}

QString MessageView::reactionsHtml(const LogEntry &entry, const QString &ownNick, bool dark)
{
    // One chip per emoji with its count; the user's own choices stand out.
    QStringList chips;
    // The server sends the first few nicks, the count and `mine`; an older
    // server sent every nick and neither.
    for (const Confab::Protocol::Reaction &reaction : entry.reactions) {
        const bool mine = reaction.mine.value_or(
                std::any_of(reaction.nicks.cbegin(), reaction.nicks.cend(), [&](const QString &nick) {
                    return Confab::Protocol::nameKey(nick) == Confab::Protocol::nameKey(ownNick);
                }));
        const int count = reaction.count.value_or(int(reaction.nicks.size()));
        const QString background = mine ? (dark ? u"#1f3a5f"_s : u"#dbeafe"_s) : (dark ? u"#333"_s : u"#eee"_s);
        chips << u"<span style=\"background-color:%1\">&nbsp;%2&nbsp;%3&nbsp;</span>"_s.arg(
                background, reaction.emoji.toHtmlEscaped(), QString::number(count));
    }
    return chips.join(u"&nbsp;"_s);
}

void MessageView::changeEvent(QEvent *event)
{
    QTextBrowser::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_conversation)
        rebuild();
}

void MessageView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu *menu = createStandardContextMenu(event->pos());
    const int row = cursorForPosition(event->pos()).block().userState();
    if (row >= 0 && row < m_conversation->log()->rowCount())
        emit entryMenuRequested(row, menu);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
}

void MessageView::appendRows(int first, int last)
{
    QScrollBar *bar = verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 4;
    const bool dark = isDark();
    for (int row = first; row <= last; ++row) {
        if (row < last && !endsRun(row))
            continue; // the run is drawn whole at its last row
        appendRow(row, dark);
    }
    if (atBottom)
        bar->setValue(bar->maximum());
}

QString MessageView::dayLabel(const QDate &day, const QDate &today)
{
    if (day == today)
        return tr("Today");
    if (day == today.addDays(-1))
        return tr("Yesterday");
    return QLocale().toString(day, QLocale::LongFormat);
}

bool MessageView::continues(const LogEntry &previous, const LogEntry &entry)
{
    return previous.kind == LogEntry::Kind::Message && entry.kind == LogEntry::Kind::Message && !previous.action
           && !entry.action && Confab::Protocol::nameKey(previous.from) == Confab::Protocol::nameKey(entry.from)
           && previous.ts / 60'000 == entry.ts / 60'000;
}

void MessageView::appendRow(int row, bool dark)
{
    const LogEntry &entry = m_conversation->log()->entry(row);
    if (entry.isAmbient()) {
        appendRun(runStart(row), row, dark);
        return;
    }
    const bool separated = appendSeparators(row, dark);
    const bool continued = !separated && continues(m_conversation->log()->entry(row - 1), entry);
    appendBlock(entryHtml(entry, dark, m_ownNick, continued, m_conversation->name()), row);
}

bool MessageView::appendSeparators(int row, bool dark)
{
    const MessageLog *log = m_conversation->log();
    const QDate day = QDateTime::fromMSecsSinceEpoch(log->entry(row).ts).toLocalTime().date();
    const bool newDay = row == 0 || QDateTime::fromMSecsSinceEpoch(log->entry(row - 1).ts).toLocalTime().date() != day;
    if (newDay) {
        append(u"<div align=\"center\" style=\"color:%1\">%2</div>"_s.arg(
                dark ? u"#9a9a9a"_s : u"#777"_s, dayLabel(day, QDate::currentDate()).toHtmlEscaped()));
    }
    const bool newMessages = row == m_conversation->newMessagesRow() && row > 0;
    if (newMessages) {
        append(u"<div align=\"center\" style=\"color:%1\">── %2 ──</div>"_s.arg(
                dark ? u"#ff8a80"_s : u"#c62828"_s, tr("new messages")));
    }
    return newDay || newMessages;
}

void MessageView::appendBlock(const QString &html, int row)
{
    append(html);
    // A hanging indent: lines that wrap, and the lines of a multi-line
    // message, start under the text, not under the time.
    const int indent = fontMetrics().horizontalAdvance(u"00:00 "_s);
    QTextCursor cursor(document()->lastBlock());
    cursor.block().setUserState(row); // which entry a right click is on
    QTextBlockFormat format = cursor.blockFormat();
    format.setAlignment(Qt::AlignLeft); // not the centred day or "new messages" line above
    format.setLeftMargin(indent);
    format.setTextIndent(-indent);
    cursor.setBlockFormat(format);
}

void MessageView::rebuild()
{
    QScrollBar *bar = verticalScrollBar();
    const int fromBottom = bar->maximum() - bar->value();
    const bool dark = isDark();
    clear();
    const int rows = m_conversation->log()->rowCount();
    for (int row = 0; row < rows; ++row) {
        if (row + 1 < rows && !endsRun(row))
            continue; // the run is drawn whole at its last row
        appendRow(row, dark);
    }
    // Keep what the user was reading where it was.
    bar->setValue(bar->maximum() - fromBottom);
}

int MessageView::runStart(int row) const
{
    const MessageLog *log = m_conversation->log();
    const auto dayOf = [log](int r) { return QDateTime::fromMSecsSinceEpoch(log->entry(r).ts).toLocalTime().date(); };
    int first = row;
    if (!log->entry(row).isAmbient())
        return first;
    while (first > 0 && log->entry(first - 1).isAmbient() && dayOf(first - 1) == dayOf(row))
        --first;
    return first;
}

bool MessageView::endsRun(int row) const
{
    const MessageLog *log = m_conversation->log();
    if (!log->entry(row).isAmbient() || row + 1 >= log->rowCount() || !log->entry(row + 1).isAmbient())
        return true;
    const auto dayOf = [log](int r) { return QDateTime::fromMSecsSinceEpoch(log->entry(r).ts).toLocalTime().date(); };
    return dayOf(row + 1) != dayOf(row);
}

void MessageView::appendRun(int first, int last, bool dark)
{
    const MessageLog *log = m_conversation->log();
    // Whatever of this run is shown already (it grew by one) goes first.
    QTextBlock block = document()->lastBlock();
    QTextBlock keep;
    for (; block.isValid(); block = block.previous()) {
        if (block.userState() < first || block.userState() > last) {
            keep = block;
            break;
        }
    }
    if (keep.isValid() && keep != document()->lastBlock()) {
        // Removing the blocks after `keep` merges its end with theirs:
        // what `keep` was (row, alignment, margins) is put back after.
        const int keptRow = keep.userState();
        const QTextBlockFormat keptFormat = keep.blockFormat();
        QTextCursor cursor(keep);
        cursor.movePosition(QTextCursor::EndOfBlock);
        cursor.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
        cursor.removeSelectedText();
        cursor.setBlockFormat(keptFormat);
        cursor.block().setUserState(keptRow);
    } else {
        appendSeparators(first, dark); // the run is new here
    }
    const int length = last - first + 1;
    const qint64 key = log->entry(first).ts;
    const QString link = u"confab-events:%1"_s.arg(key);
    if (length < CollapsedRun) {
        for (int row = first; row <= last; ++row)
            appendBlock(entryHtml(log->entry(row), dark, m_ownNick, false, m_conversation->name()), row);
        return;
    }
    if (!m_openRuns.contains(key)) {
        appendBlock(collapsedRunHtml(log->entries().mid(first, length), link, dark), first);
        return;
    }
    for (int row = first; row <= last; ++row) {
        QString html = entryHtml(log->entry(row), dark, m_ownNick, false, m_conversation->name());
        if (row == last)
            html += u" <a href=\"%1\" style=\"font-size:small\">%2</a>"_s.arg(link, tr("hide"));
        appendBlock(html, row);
    }
}

bool MessageView::toggleRun(int row)
{
    const MessageLog *log = m_conversation->log();
    if (row < 0 || row >= log->rowCount() || !log->entry(row).isAmbient())
        return false;
    int last = row;
    while (!endsRun(last))
        ++last;
    const int first = runStart(row);
    if (last - first + 1 < CollapsedRun)
        return false;
    const qint64 key = log->entry(first).ts;
    if (!m_openRuns.remove(key))
        m_openRuns.insert(key);
    rebuild();
    return true;
}

void MessageView::onAnchor(const QUrl &url)
{
    if (url.scheme() != "confab-events"_L1) {
        QDesktopServices::openUrl(url);
        return;
    }
    const qint64 key = url.path().toLongLong();
    const MessageLog *log = m_conversation->log();
    for (int row = 0; row < log->rowCount(); ++row) {
        if (log->entry(row).isAmbient() && log->entry(row).ts == key && runStart(row) == row) {
            toggleRun(row);
            return;
        }
    }
}
