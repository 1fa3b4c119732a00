#include "moderationdialog.h"

#include "commandparser.h"
#include "defaults.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

ModerationDialog::ModerationDialog(Action action, const QString &nick, const QString &room, QWidget *parent)
    : QDialog(parent)
    , m_action(action)
    , m_nick(nick)
    , m_reason(new QLineEdit(this))
{
    QString title;
    QString verb;
    switch (action) {
    case Action::Kick:
        title = tr("Remove %1 from #%2").arg(nick, room);
        verb = tr("Remove");
        break;
    case Action::Ban:
        title = tr("Ban %1 from #%2").arg(nick, room);
        verb = tr("Ban");
        break;
    case Action::Mute:
        title = tr("Mute %1 in #%2").arg(nick, room);
        verb = tr("Mute");
        break;
    }
    setWindowTitle(title);
    m_reason->setObjectName(u"reason"_s);
    m_reason->setMaxLength(Confab::Protocol::Defaults::MaxReasonChars);
    m_reason->setPlaceholderText(tr("shown to %1 and to the room").arg(nick));

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), m_reason);
    if (action != Action::Kick) {
        m_duration = new QComboBox(this);
        m_duration->setObjectName(u"duration"_s);
        m_duration->addItem(tr("Until lifted"), QVariant());
        for (qint64 seconds : {600LL, 3600LL, 86400LL, 7 * 86400LL})
            m_duration->addItem(Command::describeDuration(seconds), seconds);
        form->addRow(tr("&For:"), m_duration);
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(verb);
    auto *layout = new QVBoxLayout(this);
    if (action == Action::Ban) {
        auto *explain = new QLabel(tr("A ban by nick ends when the nick changes; for a lasting ban use "
                                      "/ban account:NAME or /ban address:CIDR."),
                                   this);
        explain->setWordWrap(true);
        layout->addWidget(explain);
    }
    layout->addLayout(form);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString ModerationDialog::reason() const
{
    return m_reason->text().trimmed();
}

void ModerationDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

std::optional<qint64> ModerationDialog::duration() const
{
    if (!m_duration || !m_duration->currentData().isValid())
        return std::nullopt;
    return m_duration->currentData().toLongLong();
}

void ModerationDialog::setDuration(std::optional<qint64> seconds)
{
    if (!m_duration)
        return;
    int best = 0;
    for (int i = 1; seconds && i < m_duration->count(); ++i) {
        if (m_duration->itemData(i).toLongLong() <= *seconds)
            best = i;
    }
    m_duration->setCurrentIndex(best);
}
