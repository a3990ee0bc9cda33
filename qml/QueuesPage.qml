pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The job queue: one card per queue (workers, jobs by state, pause/resume), the jobs running on
// this instance with their progress, and the latest failed attempts with a Retry button.
ScrollView {
    id: page

    required property var jobs

    readonly property var queues: jobs.queues
    readonly property var running: jobs.runningJobs
    readonly property var errors: jobs.latestErrors
    // A clock for the "running for" times; ticks only while something runs and the page shows.
    property real now: Date.now()

    objectName: "queuesPage"
    contentWidth: availableWidth
    clip: true

    function isPending(key) {
        return page.jobs.pending.indexOf(key) >= 0;
    }

    Timer {
        interval: 1000
        repeat: true
        running: page.visible && page.running.length > 0
        triggeredOnStart: true
        onTriggered: page.now = Date.now()
    }

    ColumnLayout {
        width: page.availableWidth
        spacing: 16

        // --- heading: rate and leadership ---------------------------------------------------
        ColumnLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.topMargin: 20
            spacing: 2

            RowLayout {
                Layout.fillWidth: true
                spacing: 10

                Text {
                    text: qsTr("Queues")
                    font.pixelSize: 18
                    font.bold: true
                    color: "#1f2633"
                }
                StatusBadge {
                    visible: page.jobs.available
                    status: page.jobs.leader ? "leader" : "follower"
                }
                Item {
                    Layout.fillWidth: true
                }
                Text {
                    visible: !isNaN(page.jobs.lastRefreshed)
                    text: qsTr("Updated %1").arg(Qt.formatTime(page.jobs.lastRefreshed, "hh:mm:ss"))
                    font.pixelSize: 12
                    color: "#9aa3b2"
                }
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: {
                    if (!page.jobs.available)
                        return qsTr("Waiting for the job executor: it starts once the database is ready.");
                    const rate = qsTr("%1 jobs/s over the last minute (%2 completed)")
                                 .arg(Number(page.jobs.jobsPerSecond).toLocaleString(Qt.locale(), "f", 2))
                                 .arg(page.jobs.completedLastMinute);
                    const role = page.jobs.leader
                                 ? qsTr("this instance leads maintenance and periodic jobs")
                                 : qsTr("another instance leads maintenance");
                    return rate + " · " + role + " · " + qsTr("client %1").arg(page.jobs.clientId);
                }
                font.pixelSize: 13
                color: "#6b7280"
            }
        }

        // --- the last failed action or refresh ---------------------------------------------
        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            visible: page.jobs.lastError.length > 0
            implicitHeight: errorRow.implicitHeight + 20
            radius: 8
            color: "#fdecea"
            border.color: "#f3b8b3"

            RowLayout {
                id: errorRow
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                anchors.leftMargin: 14
                anchors.rightMargin: 10
                spacing: 12

                Text {
                    Layout.fillWidth: true
                    text: page.jobs.lastError
                    wrapMode: Text.Wrap
                    font.pixelSize: 13
                    color: "#9b2c24"
                }
                ActionButton {
                    text: qsTr("Dismiss")
                    tone: "#d13a32"
                    onClicked: page.jobs.clearError()
                }
            }
        }

        // --- one card per queue ------------------------------------------------------------
        // A Grid positioner, not a GridLayout: on Qt 6.4 a Repeater directly in a Quick Layout
        // whose model changes can make the layout read a freed delegate (a crash in
        // QQuickLayout::effectiveSizePolicy_helper). The cards still share each row's height and
        // split the width evenly, as the GridLayout made them.
        Grid {
            id: cards

            readonly property int usedColumns: Math.max(1, Math.min(columns, cardRepeater.count))
            // from the page, not the Grid's own width: a positioner skips zero-width items, so
            // cards sized from it could leave it (and themselves) at zero width
            readonly property real cellWidth: (page.availableWidth - 48 - (usedColumns - 1) * columnSpacing) / usedColumns
            // bumped when a card comes or goes, so that rowHeight() reads the cards again
            property int revision: 0

            // the width of a card in column c: the GridLayout put each card on whole pixels
            function cardWidth(c) {
                return Math.round((c + 1) * cellWidth + c * columnSpacing) - Math.round(c * (cellWidth + columnSpacing));
            }
            // the tallest card of a row: every card of the row takes its height
            function rowHeight(row) {
                cards.revision;
                let h = 0;
                for (let i = row * usedColumns; i < Math.min((row + 1) * usedColumns, cardRepeater.count); ++i) {
                    const item = cardRepeater.itemAt(i);
                    if (item)
                        h = Math.max(h, item.implicitHeight);
                }
                return h;
            }

            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            visible: page.queues.length > 0
            columns: Math.max(1, Math.floor((page.availableWidth - 48 + columnSpacing) / (320 + columnSpacing)))
            columnSpacing: 16
            rowSpacing: 16

            Repeater {
                id: cardRepeater

                // A count, not the list: a refresh then updates the cards in place instead of
                // rebuilding them every two seconds.
                model: page.queues.length
                onItemAdded: cards.revision++
                onItemRemoved: cards.revision++

                QueueCard {
                    id: queueCard
                    required property int index
                    queue: page.queues[index] || ({})
                    busy: page.isPending("queue:" + (queue.name || ""))
                    width: cards.cardWidth(index % cards.usedColumns)
                    height: cards.rowHeight(Math.floor(index / cards.usedColumns))
                    onPauseRequested: page.jobs.pauseQueue(queueCard.queue.name)
                    onResumeRequested: page.jobs.resumeQueue(queueCard.queue.name)
                }
            }
        }

        // --- running now ---------------------------------------------------------------------
        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.topMargin: 4
            visible: page.jobs.available
            spacing: 8

            Text {
                text: qsTr("Running now")
                font.pixelSize: 16
                font.bold: true
                color: "#1f2633"
            }
            Text {
                text: page.running.length > 0 ? String(page.running.length) : ""
                font.pixelSize: 14
                color: "#6b7280"
            }
        }
        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            visible: page.jobs.available
            implicitHeight: runningList.implicitHeight
            radius: 10
            color: "#ffffff"
            border.color: "#e1e5eb"

            ColumnLayout {
                id: runningList
                width: parent.width
                spacing: 0

                Text {
                    visible: page.running.length === 0
                    Layout.fillWidth: true
                    Layout.margins: 16
                    text: qsTr("No job is running on this instance.")
                    font.pixelSize: 13
                    color: "#6b7280"
                }
                // A Column positioner around the Repeater, for the same Qt 6.4 crash.
                Column {
                    Layout.fillWidth: true

                    Repeater {
                        // A count, not the list: a refresh updates the rows in place.
                        model: page.running.length

                        RunningJobRow {
                            id: runningRow
                            required property int index
                            // the list's width, not the Column's: a positioner skips zero-width items,
                            // so rows sized from it would leave it (and themselves) at zero width
                            width: runningList.width
                            job: page.running[index] || ({})
                            first: index === 0
                            now: page.now
                            busy: page.isPending("job:" + job.id)
                            onCancelRequested: page.jobs.cancelJob(runningRow.job.id)
                        }
                    }
                }
            }
        }

        // --- latest errors -------------------------------------------------------------------
        Text {
            Layout.leftMargin: 24
            Layout.topMargin: 4
            visible: page.jobs.available
            text: qsTr("Latest errors")
            font.pixelSize: 16
            font.bold: true
            color: "#1f2633"
        }
        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.bottomMargin: 24
            visible: page.jobs.available
            implicitHeight: errorList.implicitHeight
            radius: 10
            color: "#ffffff"
            border.color: "#e1e5eb"

            ColumnLayout {
                id: errorList
                width: parent.width
                spacing: 0

                Text {
                    visible: page.errors.length === 0
                    Layout.fillWidth: true
                    Layout.margins: 16
                    text: qsTr("No job has failed recently.")
                    font.pixelSize: 13
                    color: "#6b7280"
                }
                // A Column positioner around the Repeater, for the same Qt 6.4 crash.
                Column {
                    Layout.fillWidth: true

                    Repeater {
                        // A count, not the list: a refresh updates the rows in place.
                        model: page.errors.length

                        JobErrorRow {
                            id: failedRow
                            required property int index
                            width: errorList.width // see the running rows
                            entry: page.errors[index] || ({})
                            first: index === 0
                            busy: page.isPending("job:" + entry.id)
                            onRetryRequested: page.jobs.retryJob(failedRow.entry.id)
                        }
                    }
                }
            }
        }
    }
}
