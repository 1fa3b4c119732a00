#pragma once

#include <QPointer>
#include <QTextBrowser>

class QDate;
class QMenu;

class Conversation;
struct LogEntry;

// Shows one conversation's log: timestamps, coloured nicks, notices and
// errors styled apart, links clickable. User text is escaped before it is
// shown and never read as HTML. Scrolling to the top asks for older history.
class MessageView final : public QTextBrowser
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageView)

public:
    explicit MessageView(Conversation *conversation, const QString &ownNick, QWidget *parent = nullptr);

    Conversation *conversation() const { return m_conversation; }
    void setOwnNick(const QString &nick) { m_ownNick = nick; }
    // The HTML of one entry (for tests and for the view itself).
    // ownNick: whose reactions stand out.
    // continued: the same person's next message in the same minute, shown
    // under the first without the nick.
    static QString entryHtml(const LogEntry &entry, bool darkBackground, const QString &ownNick = {},
                             bool continued = false);
    // Whether `entry` goes under `previous` without its nick.
    static bool continues(const LogEntry &previous, const LogEntry &entry);
    // "Today", "Yesterday", or the date, above the first message of a day.
    static QString dayLabel(const QDate &day, const QDate &today);
    // The nick's initial on its colour, before the first of a run of messages.
    static QString avatarHtml(const QString &nick, bool darkBackground);
    // The reactions under a message: one chip per emoji, with its count.
    static QString reactionsHtml(const LogEntry &entry, const QString &ownNick, bool darkBackground);
    // Plain text with links made clickable, everything else escaped.
    static QString linkify(const QString &text);

signals:
    void nearTop();
    // The context menu for a log row is about to show: add to it.
    void entryMenuRequested(int row, QMenu *menu);

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;
    // The desktop switched between light and dark: colours follow.
    void changeEvent(QEvent *event) override;

private:
    void appendRows(int first, int last);
    void appendRow(int row, bool dark);
    void rebuild();
    bool isDark() const;

    QPointer<Conversation> m_conversation;
    QString m_ownNick;
};
