import QtQuick

// A pill with a coloured dot and the translated name of a health status
// (healthy / degraded / unhealthy / starting) or a service state
// (running / starting / restarting / failed / stopped / external), a job state (available /
// scheduled / retryable / completed / cancelled / discarded / pending), a queue that is paused,
// or an executor's role (leader / follower).
Rectangle {
    id: badge

    property string status
    property bool large: false
    property color textColor: Qt.darker(tone, 1.25)

    readonly property color tone: {
        switch (status) {
        case "healthy":
        case "running":
        case "completed":
        case "leader":
            return "#23974a";
        case "degraded":
        case "restarting":
        case "retryable":
        case "paused":
            return "#c97d00";
        case "unhealthy":
        case "failed":
        case "discarded":
            return "#d13a32";
        case "starting":
        case "available":
            return "#4a6cf0";
        case "external":
        case "scheduled":
            return "#6d5bd0";
        default:
            return "#6b7280";
        }
    }
    readonly property string label: {
        switch (status) {
        case "healthy": return qsTr("Healthy");
        case "degraded": return qsTr("Degraded");
        case "unhealthy": return qsTr("Unhealthy");
        case "starting": return qsTr("Starting");
        case "running": return qsTr("Running");
        case "restarting": return qsTr("Restarting");
        case "failed": return qsTr("Failed");
        case "stopped": return qsTr("Stopped");
        case "external": return qsTr("External");
        case "available": return qsTr("Available");
        case "scheduled": return qsTr("Scheduled");
        case "retryable": return qsTr("Retryable");
        case "completed": return qsTr("Completed");
        case "cancelled": return qsTr("Cancelled");
        case "discarded": return qsTr("Discarded");
        case "pending": return qsTr("Pending");
        case "paused": return qsTr("Paused");
        case "leader": return qsTr("Leader");
        case "follower": return qsTr("Follower");
        default: return status;
        }
    }

    implicitWidth: row.implicitWidth + (large ? 28 : 18)
    implicitHeight: large ? 32 : 24
    radius: height / 2
    color: Qt.rgba(tone.r, tone.g, tone.b, 0.13)
    border.color: Qt.rgba(tone.r, tone.g, tone.b, 0.45)

    Row {
        id: row
        anchors.centerIn: parent
        spacing: badge.large ? 8 : 6

        Rectangle {
            anchors.verticalCenter: parent.verticalCenter
            width: badge.large ? 10 : 8
            height: width
            radius: width / 2
            color: badge.tone
        }
        Text {
            anchors.verticalCenter: parent.verticalCenter
            text: badge.label
            color: badge.textColor
            font.pixelSize: badge.large ? 15 : 12
            font.bold: true
        }
    }
}
