#include "connectdialog.h"

#include "clientsettings.h"
#include "defaults.h"
#include "names.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_server(new QComboBox(this))
    , m_nick(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_tls(new QCheckBox(tr("Use TLS (encrypted)"), this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to a Confab server"));
    m_server->setEditable(true);
    m_server->addItems(ClientSettings().recentServers());
    if (m_server->count() == 0)
        m_server->addItem(u"localhost:7700"_s);
    m_server->setToolTip(tr("host:port, tls://host:port, ws://host:7701/ws or wss://…"));
    QString nick = ClientSettings().lastNick();
    if (nick.isEmpty()) {
        // A first-time user gets their login name, if it makes a valid nick.
        const QString login = qEnvironmentVariable("USER");
        if (!Confab::Protocol::checkNick(login))
            nick = login;
    }
    m_nick->setText(nick);
    m_nick->setMaxLength(Confab::Protocol::Defaults::MaxNickChars);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("only if the server has one"));
    m_server->setObjectName(u"server"_s);
    m_nick->setObjectName(u"nick"_s);
    m_password->setObjectName(u"password"_s);
    m_problem->setObjectName(u"problem"_s);
    m_problem->setWordWrap(true);
    m_problem->setVisible(false);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setStyleSheet(u"color: palette(highlighted-text); background: #b3261e; padding: 6px; border-radius: 4px;"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Nickname:"), m_nick);
    form->addRow(tr("&Password:"), m_password);
    form->addRow(QString(), m_tls);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::tryConnect);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_nick->setFocus();
}

void ConnectDialog::setServer(const QString &server)
{
    m_server->setCurrentText(server);
}

void ConnectDialog::setNick(const QString &nick)
{
    m_nick->setText(nick);
}

QString ConnectDialog::password() const
{
    return m_password->text();
}

void ConnectDialog::setBusy(bool busy)
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_buttons->button(QDialogButtonBox::Ok)->setText(busy ? tr("Connecting…") : tr("Connect"));
    m_server->setEnabled(!busy);
    m_nick->setEnabled(!busy);
    m_password->setEnabled(!busy);
    m_tls->setEnabled(!busy);
}

void ConnectDialog::showProblem(const QString &code, const QString &message)
{
    setBusy(false);
    QString advice;
    QWidget *fix = m_nick;
    if (code == "nick_taken"_L1) {
        advice = tr("Someone is already using that nickname. Choose another one.");
    } else if (code == "nick_invalid"_L1) {
        advice = tr("Nicknames are 1–32 letters, digits, '_', '-' or '.', and start with a letter or '_'.");
    } else if (code == "auth_failed"_L1) {
        advice = tr("The server needs the right password.");
        fix = m_password;
    } else if (code == "unreachable"_L1) {
        advice = tr("Check the address and port, that the server is running, and that TLS matches the server.");
        fix = m_server;
    }
    m_problem->setText(advice.isEmpty() ? message : u"%1\n%2"_s.arg(message, advice));
    m_problem->setVisible(true);
    fix->setFocus();
    if (auto *edit = qobject_cast<QLineEdit *>(fix))
        edit->selectAll();
}

void ConnectDialog::tryConnect()
{
    QString server = m_server->currentText().trimmed();
    if (m_tls->isChecked() && !server.contains("://"_L1))
        server = u"tls://"_s + server;
    QString error;
    const auto address = ServerAddress::parse(server, &error);
    if (!address) {
        showProblem(u"unreachable"_s, error);
        m_server->setFocus();
        return;
    }
    const QString nick = m_nick->text().trimmed();
    if (const auto violation = Confab::Protocol::checkNick(nick)) {
        showProblem(u"nick_invalid"_s, violation->reason);
        return;
    }
    m_problem->setVisible(false);
    setBusy(true);
    emit connectRequested(*address, nick, m_password->text());
}
