#pragma once

// Helpers for tests that drive real widgets (offscreen).

#include <QApplication>
#include <QDir>
#include <QImage>
#include <QMessageBox>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>

// Answers the next modal message box: clicks the button with object name
// `button`, or rejects the box when it is empty; remembers what it said.
struct ModalAnswer
{
    QString button;
    bool seen = false;
    QString name;    // the box's object name
    QString details; // its informative text
    QTimer timer;

    explicit ModalAnswer(const QString &clicking)
        : button(clicking)
    {
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box)
                return;
            timer.stop();
            seen = true;
            name = box->objectName();
            details = box->informativeText();
            if (button.isEmpty())
                box->reject();
            else
                box->findChild<QPushButton *>(button)->click();
        });
        timer.start();
    }
};

// Saves a screenshot as `fileName`: into the docs only when
// scripts/screenshots.sh sets CONFAB_SCREENSHOT_DIR, otherwise into
// `scratch` (tests never write into the checkout). Returns the path, or
// empty if it could not be written.
inline QString saveScreenshot(const QImage &image, const QString &fileName, const QTemporaryDir &scratch)
{
    QString directory = qEnvironmentVariable("CONFAB_SCREENSHOT_DIR");
    if (directory.isEmpty())
        directory = scratch.path();
    const QString path = directory + QLatin1Char('/') + fileName;
    return QDir().mkpath(directory) && image.save(path) ? path : QString();
}
