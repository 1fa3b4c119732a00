#pragma once

#include <QPointer>
#include <QSet>
#include <QTextBrowser>

class QDate;
class QMenu;

class Conversation;
struct LogEntry;

// Shows one conversation's log: timestamps, coloured nicks, notices and
// errors styled apart, links clickable. Room events (joins, leaves, nick and
// topic changes, reconnects) are dimmed, and a run of CollapsedRun or more
// collapses into one line that a click ("show"/"hide") opens. User text is
// escaped before it is shown and never read as HTML. Scrolling to the top
// asks for older history.
class MessageView final : public QTextBrowser
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageView)

public:
    explicit MessageView(Conversation *conversation, const QString &ownNick, QWidget *parent = nullptr);

    // Runs of this many room events or more are collapsed.
    static constexpr int CollapsedRun = 3;

    Conversation *conversation() const { return m_conversation; }
    void setOwnNick(const QString &nick) { m_ownNick = nick; }
    // The HTML of one entry (for tests and for the view itself).
    // ownNick: whose reactions stand out.
    // continued: the same person's next message in the same minute, shown
    // under the first without the nick.
    static QString entryHtml(const LogEntry &entry, bool darkBackground, const QString &ownNick = {},
                             bool continued = false, const QString &room = {});
    // A room event in words ("alice joined"); `room` names the room where
    // the words need it ("You now own #club").
    static QString eventText(const LogEntry &entry, const QString &room = {});
    // The line for a collapsed run of events.
    static QString collapsedRunHtml(const QList<LogEntry> &run, const QString &link, bool darkBackground);
    // Opens or closes the run of events that `row` is in (as a click on
    // its "show"/"hide" does); false if `row` is in no collapsible run.
    bool toggleRun(int row);
    // Whether `entry` goes under `previous` without its nick.
    static bool continues(const LogEntry &previous, const LogEntry &entry);
    // "Today", "Yesterday", or the date, above the first message of a day.
    static QString dayLabel(const QDate &day, const QDate &today);
    // The nick's initial on its colour, before the first of a run of messages.
    static QString avatarHtml(const QString &nick, bool darkBackground);
    // The reactions under a message: one chip per emoji, with its count.
    static QString reactionsHtml(const LogEntry &entry, const QString &ownNick, bool darkBackground);
    // A time of day ("14:05"), with the date when it is not today.
    static QString clockTime(qint64 ts);
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
    // The day label and the "new messages" line above `row`, where they
    // belong; whether there was one.
    bool appendSeparators(int row, bool dark);
    // The first row of the run of room events `row` is in (same day).
    int runStart(int row) const;
    bool endsRun(int row) const;
    // Shows rows first..last, the last of a run of events: the run drawn
    // anew, collapsed or open.
    void appendRun(int first, int last, bool dark);
    void appendBlock(const QString &html, int row);
    void onAnchor(const QUrl &url);
    void rebuild();
    bool isDark() const;

    QPointer<Conversation> m_conversation;
    QString m_ownNick;
    QSet<qint64> m_openRuns; // by the time stamp of a run's first event
};
