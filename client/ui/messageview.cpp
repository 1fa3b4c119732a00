#include "messageview.h"

#include "bidi.h"
#include "conversation.h"
#include "names.h"
#include "nickcolors.h"

#include <QContextMenuEvent>
#include <QDateTime>
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
    setOpenExternalLinks(true);
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

QString MessageView::entryHtml(const LogEntry &entry, bool dark, const QString &ownNick, bool continued)
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
    for (const Confab::Protocol::Reaction &reaction : entry.reactions) {
        const bool mine = std::any_of(reaction.nicks.cbegin(), reaction.nicks.cend(),
                                      [&](const QString &nick) { return Confab::Protocol::nameKey(nick) == Confab::Protocol::nameKey(ownNick); });
        const QString background = mine ? (dark ? u"#1f3a5f"_s : u"#dbeafe"_s) : (dark ? u"#333"_s : u"#eee"_s);
        chips << u"<span style=\"background-color:%1\">&nbsp;%2&nbsp;%3&nbsp;</span>"_s.arg(
                background, reaction.emoji.toHtmlEscaped(), QString::number(reaction.nicks.size()));
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
    for (int row = first; row <= last; ++row)
        appendRow(row, dark);
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
    const MessageLog *log = m_conversation->log();
    const LogEntry &entry = log->entry(row);
    const QDate day = QDateTime::fromMSecsSinceEpoch(entry.ts).toLocalTime().date();
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
    const bool continued = !newDay && !newMessages && continues(log->entry(row - 1), entry);
    append(entryHtml(entry, dark, m_ownNick, continued));
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
    for (int row = 0; row < m_conversation->log()->rowCount(); ++row)
        appendRow(row, dark);
    // Keep what the user was reading where it was.
    bar->setValue(bar->maximum() - fromBottom);
}
