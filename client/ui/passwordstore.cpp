#include "passwordstore.h"

#include "names.h"

#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace {

const QString Service = u"Confab"_s;

// Jobs have no parent and delete themselves when done: the secret store
// answers asynchronously, and a job deleted before its answer arrives
// crashes in libsecret's callback.

} // namespace

PasswordStore::PasswordStore(QObject *parent)
    : QObject(parent)
{
}

QString PasswordStore::keyFor(const QString &server, const QString &account)
{
    return u"%1@%2"_s.arg(Confab::Protocol::nameKey(account), server);
}

void PasswordStore::read(const QString &server, const QString &account, Done done)
{
    auto *job = new QKeychain::ReadPasswordJob(Service);
    job->setKey(keyFor(server, account));
    // Never fall back to a plain file: better to ask again.
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        if (done)
            done(job->error() == QKeychain::NoError ? job->textData() : QString(),
                 job->error() == QKeychain::NoError ? QString() : job->errorString());
    });
    job->start();
}

void PasswordStore::write(const QString &server, const QString &account, const QString &password, Done done)
{
    auto *job = new QKeychain::WritePasswordJob(Service);
    job->setKey(keyFor(server, account));
    job->setInsecureFallback(false);
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)] {
        if (done)
            done({}, job->error() == QKeychain::NoError ? QString() : job->errorString());
    });
    job->start();
}

void PasswordStore::forget(const QString &server, const QString &account)
{
    auto *job = new QKeychain::DeletePasswordJob(Service);
    job->setKey(keyFor(server, account));
    job->setInsecureFallback(false);
    job->start();
}
