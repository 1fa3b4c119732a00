#pragma once

#include <QPointer>
#include <QTextBrowser>

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
    static QString entryHtml(const LogEntry &entry, bool darkBackground);
    // Plain text with links made clickable, everything else escaped.
    static QString linkify(const QString &text);

signals:
    void nearTop();

private:
    void appendRows(int first, int last);
    void appendRow(int row, bool dark);
    void rebuild();
    bool isDark() const;

    QPointer<Conversation> m_conversation;
    QString m_ownNick;
};
