#include "inputline.h"

#include "commandparser.h"

#include <QKeyEvent>
#include <QTextBlock>

using namespace Qt::StringLiterals;

namespace {

constexpr int MaxHistory = 200;

} // namespace

InputLine::InputLine(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(false);
    setPlaceholderText(u"Type a message, or /help"_s);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(document(), &QTextDocument::blockCountChanged, this, [this] {
        setFixedHeight(sizeHint().height());
    });
    setFixedHeight(sizeHint().height());
}

QSize InputLine::sizeHint() const
{
    const int lines = qBound(1, document()->blockCount(), 6);
    const int height = fontMetrics().lineSpacing() * lines + int(document()->documentMargin() * 2)
                       + frameWidth() * 2 + 4;
    return {QPlainTextEdit::sizeHint().width(), height};
}

bool InputLine::event(QEvent *event)
{
    // Shift+Esc is the window's "mark all as read", not the editor's.
    if (event->type() == QEvent::ShortcutOverride) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::ShiftModifier) {
            event->ignore();
            return true;
        }
    }
    return QPlainTextEdit::event(event);
}

void InputLine::keyPressEvent(QKeyEvent *event)
{
    if (event->key() != Qt::Key_Tab)
        m_completionIndex = -1;

    const bool shift = event->modifiers() & Qt::ShiftModifier;
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (shift) {
            insertPlainText(u"\n"_s);
        } else {
            submit();
        }
        return;
    case Qt::Key_Escape:
        emit escapePressed();
        return;
    case Qt::Key_Up:
        if (event->modifiers() & Qt::ControlModifier) {
            emit editLastRequested();
            return;
        }
        if (textCursor().blockNumber() == 0) {
            recall(-1);
            return;
        }
        break;
    case Qt::Key_Down:
        if (textCursor().blockNumber() == document()->blockCount() - 1) {
            recall(+1);
            return;
        }
        break;
    case Qt::Key_Tab:
        complete();
        return;
    default:
        break;
    }
    QPlainTextEdit::keyPressEvent(event);
}

void InputLine::submit()
{
    const QString text = toPlainText();
    if (text.trimmed().isEmpty())
        return;
    // A password typed in a command is not kept for the up arrow to show.
    if (!Command::carriesSecret(text) && (m_history.isEmpty() || m_history.last() != text))
        m_history.append(text);
    while (m_history.size() > MaxHistory)
        m_history.removeFirst();
    m_historyIndex = int(m_history.size());
    m_draft.clear();
    clear();
    emit submitted(text);
}

void InputLine::recall(int step)
{
    const int target = m_historyIndex + step;
    if (target < 0 || target > m_history.size())
        return;
    if (m_historyIndex == m_history.size())
        m_draft = toPlainText();
    m_historyIndex = target;
    setPlainText(target == m_history.size() ? m_draft : m_history.at(target));
    moveCursor(QTextCursor::End);
}

void InputLine::complete()
{
    if (!m_completionSource)
        return;
    QTextCursor cursor = textCursor();
    if (m_completionIndex < 0) {
        // Start a new run: the word before the cursor is the prefix.
        const QString before = cursor.block().text().left(cursor.positionInBlock());
        qsizetype start = before.size();
        while (start > 0 && !before.at(start - 1).isSpace())
            --start;
        m_completionPrefix = before.mid(start);
        m_completionStart = cursor.position() - int(before.size() - start);
        if (m_completionPrefix.isEmpty())
            return;
    }
    QStringList candidates;
    for (const QString &nick : m_completionSource()) {
        if (nick.startsWith(m_completionPrefix, Qt::CaseInsensitive))
            candidates << nick;
    }
    if (candidates.isEmpty())
        return;
    candidates.sort(Qt::CaseInsensitive);
    m_completionIndex = (m_completionIndex + 1) % int(candidates.size());
    const bool lineStart = cursor.block().position() == m_completionStart;
    // "nick: " at the start of a line, as chat convention has it; "nick " elsewhere.
    const QString replacement = candidates.at(m_completionIndex) + (lineStart ? u": "_s : u" "_s);
    const int end = cursor.position();
    cursor.setPosition(m_completionStart);
    cursor.setPosition(end, QTextCursor::KeepAnchor);
    cursor.insertText(replacement);
    setTextCursor(cursor);
}
