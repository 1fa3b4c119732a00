#include "quickswitcher.h"

#include "conversation.h"

#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

QString shownName(const Conversation *conversation)
{
    return conversation->type() == Conversation::Type::Room ? u"#"_s + conversation->name() : conversation->name();
}

} // namespace

QuickSwitcher::QuickSwitcher(const QList<Conversation *> &conversations, QWidget *parent)
    : QDialog(parent)
    , m_filter(new QLineEdit(this))
    , m_list(new QListWidget(this))
{
    setWindowTitle(tr("Jump to a conversation"));
    for (Conversation *conversation : conversations)
        m_conversations.append(conversation);
    m_filter->setPlaceholderText(tr("Room or person…"));
    m_filter->installEventFilter(this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filter);
    layout->addWidget(m_list);
    resize(360, 300);
    connect(m_filter, &QLineEdit::textChanged, this, &QuickSwitcher::refill);
    connect(m_filter, &QLineEdit::returnPressed, this, &QuickSwitcher::choose);
    connect(m_list, &QListWidget::itemActivated, this, &QuickSwitcher::choose);
    refill();
}

QList<Conversation *> QuickSwitcher::matches(const QList<Conversation *> &conversations, const QString &text)
{
    const QString wanted = text.trimmed().remove(u'#');
    QList<Conversation *> found;
    for (Conversation *conversation : conversations) {
        if (conversation && conversation->name().contains(wanted, Qt::CaseInsensitive))
            found.append(conversation);
    }
    // Mentions, then unread, then the rest; names that start with the
    // typed text before names that only contain it.
    auto rank = [&](const Conversation *c) {
        return std::make_tuple(!c->hasMention(), c->unread() == 0,
                               !c->name().startsWith(wanted, Qt::CaseInsensitive));
    };
    std::stable_sort(found.begin(), found.end(),
                     [&](const Conversation *a, const Conversation *b) { return rank(a) < rank(b); });
    return found;
}

void QuickSwitcher::refill()
{
    QList<Conversation *> all;
    for (const QPointer<Conversation> &conversation : std::as_const(m_conversations)) {
        if (conversation)
            all.append(conversation);
    }
    m_list->clear();
    for (Conversation *conversation : matches(all, m_filter->text())) {
        QString text = shownName(conversation);
        if (conversation->unread() > 0)
            text += u"  (%1)"_s.arg(conversation->unread());
        auto *item = new QListWidgetItem(text, m_list);
        item->setData(Qt::UserRole, QVariant::fromValue(static_cast<QObject *>(conversation)));
    }
    m_list->setCurrentRow(0);
}

void QuickSwitcher::choose()
{
    QListWidgetItem *item = m_list->currentItem();
    auto *conversation = item ? qobject_cast<Conversation *>(item->data(Qt::UserRole).value<QObject *>()) : nullptr;
    if (!conversation)
        return;
    emit chosen(conversation);
    accept();
}

bool QuickSwitcher::eventFilter(QObject *watched, QEvent *event)
{
    // Up and Down move through the list while typing.
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        if (key == Qt::Key_Down || key == Qt::Key_Up) {
            const int row = m_list->currentRow() + (key == Qt::Key_Down ? 1 : -1);
            if (row >= 0 && row < m_list->count())
                m_list->setCurrentRow(row);
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}
