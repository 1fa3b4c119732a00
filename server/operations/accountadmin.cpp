#include "accountadmin.h"

#include "accountrecords.h"
#include "names.h"
#include "passwordhasher.h"
#include "serverconfig.h"
#include "sqlstore.h"

#include <QDateTime>
#include <QFileInfo>

#include <string>

#include <pwd.h>
#include <termios.h>
#include <unistd.h>

namespace AccountAdmin {

namespace {

const char Usage[] = "usage: confab-server [--db DATABASE] account add NAME | reset-password NAME | rename NAME NEW "
                     "| delete NAME | list";

QString readLine(std::FILE *input)
{
    std::string line;
    int c;
    while ((c = std::fgetc(input)) != EOF && c != '\n')
        line.push_back(char(c));
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromStdString(line);
}

// A password typed at a terminal is not shown; from a pipe it is one line.
QString readPassword(std::FILE *input, std::FILE *prompt, const char *question)
{
    const int fd = fileno(input);
    if (!isatty(fd))
        return readLine(input);
    std::fputs(question, prompt);
    std::fflush(prompt);
    termios original{};
    const bool quiet = tcgetattr(fd, &original) == 0;
    if (quiet) {
        termios silent = original;
        silent.c_lflag &= tcflag_t(~ECHO);
        tcsetattr(fd, TCSAFLUSH, &silent);
    }
    const QString line = readLine(input);
    if (quiet) {
        tcsetattr(fd, TCSAFLUSH, &original);
        std::fputc('\n', prompt);
    }
    return line;
}

int fail(std::FILE *err, const QString &message)
{
    std::fprintf(err, "confab-server: %s\n", qPrintable(message));
    return 1;
}

// Who ran the command, for the audit log: the login behind sudo where
// there is one.
QString actor()
{
    QString user = qEnvironmentVariable("SUDO_USER");
    if (user.isEmpty()) {
        const passwd *entry = getpwuid(getuid());
        user = entry ? QString::fromLocal8Bit(entry->pw_name) : QString::number(getuid());
    }
    return QStringLiteral("shell:") + user;
}

// The new password, asked twice at a terminal; empty with *error on a
// mistake.
QByteArray newPasswordHash(std::FILE *input, std::FILE *err, QString *error)
{
    const QString password = readPassword(input, err, "Password: ");
    if (const auto violation = Confab::Protocol::checkPassword(password)) {
        *error = violation->reason;
        return {};
    }
    if (isatty(fileno(input)) && readPassword(input, err, "The same again: ") != password) {
        *error = QStringLiteral("the two passwords differ; nothing was changed");
        return {};
    }
    const QByteArray hash = PasswordHasher::hash(password);
    if (hash.isEmpty())
        *error = QStringLiteral("libcrypt could not hash the password");
    return hash;
}

class Session
{
public:
    Session(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err)
        : m_config(config), m_input(input), m_out(out), m_err(err)
    {
    }

    int run(const QStringList &words);

private:
    int add(const QString &name);
    int resetPassword(const QString &name);
    int rename(const QString &name, const QString &newName);
    int remove(const QString &name);
    int list();

    // The database; false (said on err) if there is none or it cannot open.
    bool open(bool mayCreate);
    // The database and the account NAME in it; nullopt (said on err) if
    // either is missing.
    std::optional<AccountStore::Account> openExisting(const QString &name);
    void audit(const QString &action, const QString &target, const QString &reason = QString());
    AccountRecords records() { return AccountRecords(m_store->connection(), SqlStore::isDatabaseUrl(m_config.databasePath)); }

    const ServerConfig &m_config;
    std::FILE *m_input;
    std::FILE *m_out;
    std::FILE *m_err;
    std::unique_ptr<SqlStore> m_store;
};

int Session::run(const QStringList &words)
{
    const QString verb = words.value(0);
    const auto expect = [&](int count) { return words.size() == count; };
    if (verb == QLatin1String("add") && expect(2))
        return add(words.at(1));
    if (verb == QLatin1String("reset-password") && expect(2))
        return resetPassword(words.at(1));
    if (verb == QLatin1String("rename") && expect(3))
        return rename(words.at(1), words.at(2));
    if (verb == QLatin1String("delete") && expect(2))
        return remove(words.at(1));
    if (verb == QLatin1String("list") && expect(1))
        return list();
    return fail(m_err, QString::fromLatin1(Usage));
}

bool Session::open(bool mayCreate)
{
    const QString &db = m_config.databasePath;
    if (!mayCreate && !SqlStore::isDatabaseUrl(db) && (db == QLatin1String(":memory:") || !QFileInfo::exists(db))) {
        fail(m_err, QStringLiteral("no database at %1 (give its path with --db)").arg(db));
        return false;
    }
    QString error;
    m_store = SqlStore::open(db, &error);
    if (!m_store)
        fail(m_err, error);
    return bool(m_store);
}

std::optional<AccountStore::Account> Session::openExisting(const QString &name)
{
    if (!open(false))
        return std::nullopt;
    const std::optional<AccountStore::Account> account = m_store->loadAccount(Confab::Protocol::nameKey(name));
    if (!account)
        fail(m_err, QStringLiteral("there is no account %1").arg(name));
    return account;
}

void Session::audit(const QString &action, const QString &target, const QString &reason)
{
    QString error;
    if (!m_store->appendAudit(QString(), {QDateTime::currentMSecsSinceEpoch(), actor(), action, std::nullopt, target, reason},
                              &error))
        std::fprintf(m_err, "confab-server: warning: not in the audit log: %s\n", qPrintable(error));
}

int Session::add(const QString &name)
{
    if (const auto violation = Confab::Protocol::checkNick(name))
        return fail(m_err, QStringLiteral("%1 cannot be an account: %2").arg(name, violation->reason));
    if (!open(true))
        return 1;
    const QString key = Confab::Protocol::nameKey(name);
    if (const std::optional<AccountStore::Account> account = m_store->loadAccount(key))
        return fail(m_err, QStringLiteral("%1 is an account already").arg(account->name));
    QString error;
    const QByteArray hash = newPasswordHash(m_input, m_err, &error);
    if (hash.isEmpty())
        return fail(m_err, error);
    if (!m_store->createAccount(key, {name, hash, QDateTime::currentMSecsSinceEpoch()}, &error)
        || !records().noteChange(&error))
        return fail(m_err, QStringLiteral("cannot store the account: %1").arg(error));
    audit(QStringLiteral("account_add"), name);
    std::fprintf(m_out, "the account %s is made\n", qPrintable(name));
    return 0;
}

int Session::resetPassword(const QString &name)
{
    const std::optional<AccountStore::Account> account = openExisting(name);
    if (!account)
        return 1;
    QString error;
    const QByteArray hash = newPasswordHash(m_input, m_err, &error);
    if (hash.isEmpty())
        return fail(m_err, error);
    if (!m_store->setPasswordHash(Confab::Protocol::nameKey(name), hash, &error))
        return fail(m_err, QStringLiteral("cannot store the new password: %1").arg(error));
    audit(QStringLiteral("account_password"), account->name);
    std::fprintf(m_out, "the password of %s is changed\n", qPrintable(account->name));
    return 0;
}

int Session::rename(const QString &name, const QString &newName)
{
    if (const auto violation = Confab::Protocol::checkNick(newName))
        return fail(m_err, QStringLiteral("%1 cannot be an account: %2").arg(newName, violation->reason));
    const std::optional<AccountStore::Account> account = openExisting(name);
    if (!account)
        return 1;
    const QString oldKey = Confab::Protocol::nameKey(name);
    const QString newKey = Confab::Protocol::nameKey(newName);
    if (newKey != oldKey) {
        if (const std::optional<AccountStore::Account> taken = m_store->loadAccount(newKey))
            return fail(m_err, QStringLiteral("%1 is an account already").arg(taken->name));
    }
    QString error;
    if (!records().rename(oldKey, newName, &error))
        return fail(m_err, QStringLiteral("cannot rename %1: %2").arg(account->name, error));
    audit(QStringLiteral("account_rename"), newName, account->name);
    std::fprintf(m_out, "the account %s is now %s\n", qPrintable(account->name), qPrintable(newName));
    return 0;
}

int Session::remove(const QString &name)
{
    const std::optional<AccountStore::Account> account = openExisting(name);
    if (!account)
        return 1;
    QString error;
    if (!records().remove(Confab::Protocol::nameKey(name), QDateTime::currentMSecsSinceEpoch(), &error))
        return fail(m_err, QStringLiteral("cannot delete %1: %2").arg(account->name, error));
    audit(QStringLiteral("account_delete"), account->name);
    std::fprintf(m_out, "the account %s is deleted\n", qPrintable(account->name));
    return 0;
}

int Session::list()
{
    if (!open(false))
        return 1;
    QString error;
    const std::optional<QList<AccountRecords::Entry>> entries = records().list(&error);
    if (!entries)
        return fail(m_err, QStringLiteral("cannot read the accounts: %1").arg(error));
    QStringList operators;
    for (const QString &name : m_config.operators)
        operators << Confab::Protocol::nameKey(name);
    for (const AccountRecords::Entry &entry : *entries) {
        QStringList notes;
        if (operators.contains(Confab::Protocol::nameKey(entry.name)))
            notes << QStringLiteral("operator");
        if (entry.roomsOwned)
            notes << QStringLiteral("owns %1 room(s)").arg(entry.roomsOwned);
        if (entry.roomsOp)
            notes << QStringLiteral("op in %1 room(s)").arg(entry.roomsOp);
        std::fprintf(m_out, "%s\tsince %s%s%s\n", qPrintable(entry.name),
                     qPrintable(QDateTime::fromMSecsSinceEpoch(entry.createdMs).toUTC().toString(Qt::ISODate)),
                     notes.isEmpty() ? "" : "\t", qPrintable(notes.join(QLatin1String(", "))));
    }
    std::fprintf(m_out, "%lld account(s)\n", static_cast<long long>(entries->size()));
    return 0;
}

} // namespace

int run(const ServerConfig &config, std::FILE *input, std::FILE *out, std::FILE *err)
{
    return Session(config, input, out, err).run(config.accountCommand);
}

} // namespace AccountAdmin
