#pragma once

#include <QDialog>
#include <QPointer>

class Conversation;
class QLineEdit;
class QListWidget;

// Ctrl+K: type part of a conversation's name and press Enter to go there.
// Conversations with unread messages come first, mentions before them.
class QuickSwitcher final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QuickSwitcher)

public:
    QuickSwitcher(const QList<Conversation *> &conversations, QWidget *parent = nullptr);

    QLineEdit *filter() const { return m_filter; }
    QListWidget *list() const { return m_list; }
    // The conversations shown for `text`, best first (for tests, and the list).
    static QList<Conversation *> matches(const QList<Conversation *> &conversations, const QString &text);

signals:
    void chosen(Conversation *conversation);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refill();
    void choose();

    QList<QPointer<Conversation>> m_conversations;
    QLineEdit *m_filter;
    QListWidget *m_list;
};
