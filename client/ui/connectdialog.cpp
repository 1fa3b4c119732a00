#include "connectdialog.h"

#include "clientsettings.h"
#include "defaults.h"
#include "names.h"
#include "passwordstore.h"
#include "refusal.h"
#include "serverfinder.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QSettings>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

ConnectDialog::ConnectDialog(QWidget *parent)
    : QDialog(parent)
    , m_server(new QComboBox(this))
    , m_nick(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_tls(new QCheckBox(tr("Use TLS (encrypted)"), this))
    , m_accountMode(new QComboBox(this))
    , m_accountPassword(new QLineEdit(this))
    , m_rememberPassword(new QCheckBox(tr("Remember the password in this desktop's keyring"), this))
    , m_passwords(new PasswordStore(this))
    , m_finder(new ServerFinder(this))
    , m_found(new QTreeView(this))
    , m_look(new QPushButton(tr("&Look for Servers"), this))
    , m_lookOnOpen(new QCheckBox(tr("Look whenever this window opens"), this))
    , m_lookStatus(new QLabel(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to a Confab server"));
    m_server->setEditable(true);
    m_server->addItems(ClientSettings().recentServers());
    if (m_server->count() == 0)
        m_server->addItem(u"localhost:7700"_s);
    m_server->setToolTip(tr("host:port, tls://host:port, ws://host:7701/ws or wss://…\n"
                            "Several servers of one cluster, separated by commas, are tried in turn."));
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
    m_accountMode->addItem(tr("Guest (no account)"), int(AccountMode::Guest));
    m_accountMode->addItem(tr("Log in to my account"), int(AccountMode::LogIn));
    m_accountMode->addItem(tr("Register this nickname as an account"), int(AccountMode::Register));
    m_accountMode->setToolTip(tr("An account keeps your nickname for you alone, and lets you own and run rooms. "
                                 "It is named after your nickname."));
    m_accountPassword->setEchoMode(QLineEdit::Password);
    m_accountPassword->setMaxLength(256);
    m_accountMode->setObjectName(u"accountMode"_s);
    m_accountPassword->setObjectName(u"accountPassword"_s);
    m_rememberPassword->setObjectName(u"rememberPassword"_s);
    m_rememberPassword->setToolTip(tr("Kept by the desktop's secret store (GNOME Keyring, KWallet…), "
                                      "never in Confab's settings."));
    m_server->setObjectName(u"server"_s);
    m_nick->setObjectName(u"nick"_s);
    m_password->setObjectName(u"password"_s);
    m_problem->setObjectName(u"problem"_s);
    m_problem->setWordWrap(true);
    m_problem->setVisible(false);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setStyleSheet(u"color: palette(highlighted-text); background: #b3261e; padding: 6px; border-radius: 4px;"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    QPushButton *host = m_buttons->addButton(tr("&Host on This Computer"), QDialogButtonBox::ActionRole);
    host->setObjectName(u"host"_s);
    host->setToolTip(tr("Run a Confab server in this program, for others on your network to join"));
    connect(host, &QPushButton::clicked, this, &ConnectDialog::requestHosting);

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Nickname:"), m_nick);
    form->addRow(tr("Server &password:"), m_password);
    form->addRow(QString(), m_tls);
    form->addRow(tr("&Account:"), m_accountMode);
    form->addRow(tr("Account pass&word:"), m_accountPassword);
    form->addRow(QString(), m_rememberPassword);
    // Servers on this network: asked for by the user, never behind their back.
    auto *lan = new QGroupBox(tr("Servers on this network"), this);
    auto *lanLayout = new QVBoxLayout(lan);
    m_found->setModel(m_finder);
    m_found->setRootIsDecorated(false);
    m_found->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_found->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_found->header()->setStretchLastSection(true);
    m_found->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_found->setMinimumHeight(110);
    m_found->setToolTip(tr("Double-click a server to connect to it"));
    m_found->setObjectName(u"foundServers"_s);
    m_look->setObjectName(u"lookForServers"_s);
    m_lookOnOpen->setObjectName(u"lookOnOpen"_s);
    m_lookStatus->setObjectName(u"lookStatus"_s);
    m_lookOnOpen->setChecked(ClientSettings().lookForServersOnOpen());
    auto *lookRow = new QHBoxLayout;
    lookRow->addWidget(m_look);
    lookRow->addWidget(m_lookStatus, 1);
    lookRow->addWidget(m_lookOnOpen);
    lanLayout->addWidget(m_found);
    lanLayout->addLayout(lookRow);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(lan);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);
    // Wide enough for the placeholders and a problem in two or three lines,
    // whatever the font; the dialog grows with the problem shown.
    setMinimumWidth(fontMetrics().averageCharWidth() * 62);
    layout->setSizeConstraint(QLayout::SetMinimumSize);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::tryConnect);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_accountMode, &QComboBox::currentIndexChanged, this, &ConnectDialog::updateAccountFields);
    connect(m_look, &QPushButton::clicked, this, &ConnectDialog::lookForServers);
    connect(m_lookOnOpen, &QCheckBox::toggled, this,
            [](bool on) { ClientSettings().setLookForServersOnOpen(on); });
    connect(m_finder, &ServerFinder::lookingChanged, this, [this](bool looking) {
        m_look->setEnabled(!looking);
        const int found = m_finder->rowCount();
        m_lookStatus->setText(looking ? tr("Looking…")
                              : found == 0 ? tr("No server answered. Type an address below.")
                              : found == 1 ? tr("1 server found")
                                           : tr("%1 servers found").arg(found));
    });
    auto pick = [this](const QModelIndex &index) {
        const ServerFinder::Server *server = m_finder->serverAt(index.row());
        if (!server)
            return;
        m_server->setCurrentText(server->connectAddress());
        m_announcedFingerprint = server->fingerprint;
        m_tls->setChecked(false); // the address says tls:// itself
        if (server->password)
            m_password->setPlaceholderText(tr("this server needs one"));
    };
    connect(m_found, &QTreeView::clicked, this, pick);
    connect(m_found, &QTreeView::doubleClicked, this, [this, pick](const QModelIndex &index) {
        pick(index);
        tryConnect();
    });
    if (m_lookOnOpen->isChecked())
        QTimer::singleShot(0, this, &ConnectDialog::lookForServers);
    connect(m_server, &QComboBox::currentTextChanged, this, &ConnectDialog::recallAccount);
    connect(m_server, &QComboBox::editTextChanged, this, [this] { m_announcedFingerprint.clear(); });
    recallAccount();
    updateAccountFields();
    m_nick->setFocus();
}

void ConnectDialog::requestHosting()
{
    const QString nick = m_nick->text().trimmed();
    if (const auto violation = Confab::Protocol::checkNick(nick)) {
        showProblem(ConnectionSupervisor::LoginFailure::NickInvalid, violation->reason);
        return;
    }
    m_problem->setVisible(false);
    setBusy(true);
    emit hostRequested(nick);
}

void ConnectDialog::lookForServers()
{
    m_finder->look();
}

ConnectDialog::AccountMode ConnectDialog::accountMode() const
{
    return AccountMode(m_accountMode->currentData().toInt());
}

void ConnectDialog::setAccountMode(AccountMode mode)
{
    m_accountMode->setCurrentIndex(m_accountMode->findData(int(mode)));
}

QString ConnectDialog::accountPassword() const
{
    return accountMode() == AccountMode::Guest ? QString() : m_accountPassword->text();
}

void ConnectDialog::setAccountPassword(const QString &password)
{
    m_accountPassword->setText(password);
}

bool ConnectDialog::rememberPassword() const
{
    return accountMode() != AccountMode::Guest && m_rememberPassword->isChecked();
}

void ConnectDialog::setRememberPassword(bool remember)
{
    m_rememberPassword->setChecked(remember);
}

void ConnectDialog::updateAccountFields()
{
    const AccountMode mode = accountMode();
    m_accountPassword->setEnabled(mode != AccountMode::Guest && m_nick->isEnabled());
    m_rememberPassword->setEnabled(mode != AccountMode::Guest && m_nick->isEnabled());
    m_accountPassword->setPlaceholderText(mode == AccountMode::Register ? tr("8 characters or more")
                                          : mode == AccountMode::LogIn  ? tr("the account's password")
                                                                        : QString());
}

void ConnectDialog::recallAccount()
{
    const ClientSettings settings;
    const QString server = m_server->currentText().trimmed();
    const QString account = settings.account(server);
    if (account.isEmpty())
        return;
    m_nick->setText(account);
    setAccountMode(AccountMode::LogIn);
    const bool remembered = settings.passwordRemembered(server);
    m_rememberPassword->setChecked(remembered);
    m_accountPassword->clear();
    if (!remembered)
        return;
    const auto address = ServerAddress::parse(server);
    if (!address)
        return;
    QPointer<QLineEdit> field(m_accountPassword);
    m_passwords->read(address->hostAndPort(), account, [field](const QString &password, const QString &) {
        if (field && field->text().isEmpty())
            field->setText(password);
    });
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
    m_accountMode->setEnabled(!busy);
    updateAccountFields();
}

void ConnectDialog::showProblem(ConnectionSupervisor::LoginFailure failure, const QString &message)
{
    using Failure = ConnectionSupervisor::LoginFailure;
    setBusy(false);
    QString advice;
    QWidget *fix = m_nick;
    switch (failure) {
    case Failure::NickTaken:
        advice = tr("Someone is already using that nickname. Choose another one.");
        break;
    case Failure::NickInvalid:
        advice = tr("Nicknames are 1–32 letters, digits, '_', '-' or '.', and start with a letter or '_'.");
        break;
    case Failure::ServerPassword:
        advice = tr("Ask the server's operator for its password and type it in.");
        fix = m_password;
        break;
    case Failure::NickReserved:
        advice = tr("That nickname belongs to an account. If it is yours, choose \"Log in to my account\" and "
                    "type its password; otherwise choose another nickname.");
        break;
    case Failure::AccountLogin:
        advice = tr("The account (named after the nickname) or its password is wrong.");
        fix = m_accountPassword;
        break;
    case Failure::LoginRequired:
        advice = tr("Only registered users may enter this server: log in to your account.");
        setAccountMode(AccountMode::LogIn);
        fix = m_accountPassword;
        break;
    case Failure::AccountPassword:
        advice = tr("An account password has 8 to 256 characters.");
        fix = m_accountPassword;
        break;
    case Failure::RateLimited:
        advice = tr("Too many attempts: wait a few minutes before trying again.");
        break;
    case Failure::Banned:
        advice = tr("The server's operators have banned you.");
        fix = m_server;
        break;
    case Failure::ServerFull:
        advice = tr("The server has as many users as it takes: try again later.");
        fix = m_server;
        break;
    case Failure::Unreachable:
        advice = tr("Check the address and port, that the server is running, and that TLS matches the server.");
        fix = m_server;
        break;
    case Failure::UntrustedCertificate:
        fix = m_server;
        break;
    case Failure::Other:
        break;
    }
    m_problem->setText(Refusal::withAdvice(message, advice));
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
        showProblem(ConnectionSupervisor::LoginFailure::Unreachable, error);
        m_server->setFocus();
        return;
    }
    const QString nick = m_nick->text().trimmed();
    if (const auto violation = Confab::Protocol::checkNick(nick)) {
        showProblem(ConnectionSupervisor::LoginFailure::NickInvalid, violation->reason);
        return;
    }
    if (accountMode() != AccountMode::Guest) {
        const qsizetype length = m_accountPassword->text().size();
        if (length == 0 || (accountMode() == AccountMode::Register && length < 8)) {
            showProblem(ConnectionSupervisor::LoginFailure::AccountPassword, length == 0 ? tr("Type the account's password.")
                                                           : tr("That password is too short."));
            return;
        }
    }
    m_problem->setVisible(false);
    setBusy(true);
    emit connectRequested(*address, nick, m_password->text());
}
