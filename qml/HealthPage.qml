import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// One card per component of the health report (database, cache, search, jobs, http).
ScrollView {
    id: page

    required property var dashboard

    readonly property var components: dashboard.components
    readonly property int healthyCount: components.filter(c => c.status === "healthy").length

    contentWidth: availableWidth
    clip: true

    ColumnLayout {
        width: page.availableWidth
        spacing: 16

        ColumnLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.topMargin: 20
            spacing: 2

            Text {
                text: qsTr("Components")
                font.pixelSize: 18
                font.bold: true
                color: "#1f2633"
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: page.components.length === 0
                      ? qsTr("Waiting for the first health check…")
                      : qsTr("%1 of %2 components healthy. PostgreSQL is required; the cache and search only degrade the service.")
                        .arg(page.healthyCount).arg(page.components.length)
                font.pixelSize: 13
                color: "#6b7280"
            }
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.bottomMargin: 24
            columns: Math.max(1, Math.floor((page.availableWidth - 48 + columnSpacing) / (340 + columnSpacing)))
            columnSpacing: 16
            rowSpacing: 16

            Repeater {
                model: page.components

                ComponentCard {
                    required property var modelData
                    info: modelData
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.alignment: Qt.AlignTop
                }
            }
        }
    }
}
