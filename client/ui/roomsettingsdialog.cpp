#include "roomsettingsdialog.h"

#include "chatsession.h"
#include "conversation.h"
#include "names.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Confab::Protocol;
using namespace Qt::StringLiterals;

RoomSettingsDialog::RoomSettingsDialog(ChatSession *session, Conversation *room, QWidget *parent)
    : QDialog(parent)
    , m_session(session)
    , m_room(room)
    , m_inviteOnly(new QCheckBox(tr("&Invitation only: only those an op invites may join"), this))
    , m_topicLocked(new QCheckBox(tr("Only &ops may change the topic"), this))
    , m_needsKey(new QCheckBox(tr("A &key is needed to join:"), this))
    , m_key(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_bans(new QTreeWidget(this))
    , m_newBan(new QLineEdit(this))
    , m_lift(new QPushButton(tr("&Lift Ban"), this))
{
    setWindowTitle(tr("Settings of #%1").arg(room->name()));
    m_inviteOnly->setObjectName(u"inviteOnly"_s);
    m_topicLocked->setObjectName(u"topicLocked"_s);
    m_needsKey->setObjectName(u"needsKey"_s);
    m_key->setObjectName(u"key"_s);
    m_bans->setObjectName(u"bans"_s);
    m_newBan->setObjectName(u"newBan"_s);
    m_key->setPlaceholderText(tr("type a new key"));
    m_newBan->setPlaceholderText(tr("nick, nick:GLOB, account:NAME or address:CIDR"));
    m_problem->setWordWrap(true);
    m_problem->setVisible(false);

    auto *access = new QGroupBox(tr("Who may come in"), this);
    auto *accessLayout = new QFormLayout(access);
    accessLayout->addRow(m_inviteOnly);
    accessLayout->addRow(m_needsKey, m_key);
    accessLayout->addRow(m_topicLocked);
    auto *applyModes = new QPushButton(tr("&Apply"), access);
    applyModes->setObjectName(u"apply"_s);
    accessLayout->addRow(m_problem);
    accessLayout->addRow(QString(), applyModes);

    auto *banBox = new QGroupBox(tr("Bans"), this);
    auto *banLayout = new QVBoxLayout(banBox);
    m_bans->setHeaderLabels({tr("Mask"), tr("By"), tr("Reason"), tr("Until")});
    m_bans->setRootIsDecorated(false);
    m_bans->header()->setStretchLastSection(true);
    banLayout->addWidget(m_bans);
    auto *addRow = new QHBoxLayout;
    auto *add = new QPushButton(tr("&Ban"), banBox);
    addRow->addWidget(m_newBan, 1);
    addRow->addWidget(add);
    addRow->addWidget(m_lift);
    banLayout->addLayout(addRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(access);
    layout->addWidget(banBox, 1);
    layout->addWidget(buttons);
    resize(560, 480);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(applyModes, &QPushButton::clicked, this, &RoomSettingsDialog::apply);
    connect(add, &QPushButton::clicked, this, &RoomSettingsDialog::addBan);
    connect(m_newBan, &QLineEdit::returnPressed, this, &RoomSettingsDialog::addBan);
    connect(m_lift, &QPushButton::clicked, this, &RoomSettingsDialog::liftSelectedBan);
    connect(m_needsKey, &QCheckBox::toggled, m_key, &QWidget::setEnabled);
    connect(m_bans, &QTreeWidget::itemSelectionChanged, this,
            [this] { m_lift->setEnabled(!m_bans->selectedItems().isEmpty()); });
    connect(session, &ChatSession::modesChanged, this, [this](Conversation *changed) {
        if (changed == m_room)
            showModes();
    });
    connect(session, &ChatSession::banListReceived, this, &RoomSettingsDialog::showBans);
    connect(room, &QObject::destroyed, this, &QDialog::reject);

    showModes();
    m_lift->setEnabled(false);
    session->requestBanList(room);
}

void RoomSettingsDialog::showModes()
{
    if (!m_room)
        return;
    const RoomModes modes = m_room->modes();
    m_inviteOnly->setChecked(modes.inviteOnly);
    m_topicLocked->setChecked(modes.topicLocked);
    m_needsKey->setChecked(modes.hasKey);
    m_key->setEnabled(modes.hasKey);
    m_key->clear();
    m_key->setPlaceholderText(modes.hasKey ? tr("unchanged (type to replace)") : tr("type a new key"));
    m_problem->setVisible(false);
    const bool mayChange = m_session->mayChangeModes(m_room);
    for (QWidget *widget : {static_cast<QWidget *>(m_inviteOnly), static_cast<QWidget *>(m_topicLocked),
                            static_cast<QWidget *>(m_needsKey), static_cast<QWidget *>(m_newBan)})
        widget->setEnabled(mayChange);
}

void RoomSettingsDialog::apply()
{
    if (!m_room)
        return;
    const RoomModes modes = m_room->modes();
    std::optional<bool> inviteOnly;
    std::optional<bool> topicLocked;
    std::optional<QString> key;
    if (m_inviteOnly->isChecked() != modes.inviteOnly)
        inviteOnly = m_inviteOnly->isChecked();
    if (m_topicLocked->isChecked() != modes.topicLocked)
        topicLocked = m_topicLocked->isChecked();
    if (m_needsKey->isChecked()) {
        if (!m_key->text().isEmpty())
            key = m_key->text();
        else if (!modes.hasKey) {
            m_problem->setText(tr("Type the key that people will need to join."));
            m_problem->setVisible(true);
            m_key->setFocus();
            return;
        }
    } else if (modes.hasKey) {
        key = QString();
    }
    if (inviteOnly || topicLocked || key)
        m_session->setModes(m_room, inviteOnly, key, topicLocked);
}

void RoomSettingsDialog::addBan()
{
    const QString mask = m_newBan->text().trimmed();
    if (mask.isEmpty() || !m_room)
        return;
    m_session->ban(m_room, mask);
    m_newBan->clear();
}

void RoomSettingsDialog::liftSelectedBan()
{
    const QList<QTreeWidgetItem *> selected = m_bans->selectedItems();
    if (selected.isEmpty() || !m_room)
        return;
    m_session->unban(m_room, selected.first()->text(0));
}

void RoomSettingsDialog::showBans(const QString &room, const QList<BanEntry> &bans)
{
    if (!m_room || nameKey(room) != nameKey(m_room->name()))
        return;
    m_bans->clear();
    for (const BanEntry &ban : bans) {
        const QString until = ban.until ? QDateTime::fromMSecsSinceEpoch(*ban.until).toString(u"yyyy-MM-dd HH:mm"_s)
                                        : tr("lifted by hand");
        m_bans->addTopLevelItem(new QTreeWidgetItem({ban.mask, ban.by, ban.reason, until}));
    }
    m_lift->setEnabled(false);
}
