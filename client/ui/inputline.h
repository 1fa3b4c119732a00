#pragma once

#include <QPlainTextEdit>
#include <QStringList>

#include <functional>

// Where the user types. Enter sends, Shift+Enter starts a new line, Up and
// Down walk through what was sent before, Tab completes nicks, Ctrl+Up asks
// to edit the user's last message and Escape to stop editing.
class InputLine final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InputLine)

public:
    explicit InputLine(QWidget *parent = nullptr);

    // Supplies the nicks Tab completes from (the current room's members).
    void setCompletionSource(std::function<QStringList()> source) { m_completionSource = std::move(source); }
    QSize sizeHint() const override;

signals:
    void submitted(const QString &text);
    void editLastRequested();
    void escapePressed();

protected:
    bool event(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void submit();
    void recall(int step);
    void complete();

    QStringList m_history;
    int m_historyIndex = 0; // == m_history.size(): the line being written
    QString m_draft;
    std::function<QStringList()> m_completionSource;
    // State of a run of Tab presses: the prefix typed and the next candidate.
    QString m_completionPrefix;
    int m_completionIndex = -1;
    int m_completionStart = -1;
};
