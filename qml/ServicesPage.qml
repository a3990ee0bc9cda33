pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The supervisor's view: the services Revenge runs itself (managed) and those it only
// connects to (external), with their process state.
ScrollView {
    id: page

    required property var dashboard

    readonly property var services: dashboard.services

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
                text: qsTr("Services")
                font.pixelSize: 18
                font.bold: true
                color: "#1f2633"
            }
            Text {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: page.services.length === 0
                      ? qsTr("No services are supervised.")
                      : qsTr("Managed services are started by Revenge and restarted when they stop; external ones are only connected to.")
                font.pixelSize: 13
                color: "#6b7280"
            }
        }

        Rectangle {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.bottomMargin: 24
            visible: page.services.length > 0
            implicitHeight: table.implicitHeight
            radius: 10
            color: "#ffffff"
            border.color: "#e1e5eb"

            ColumnLayout {
                id: table
                width: parent.width
                spacing: 0

                ServiceRow {
                    Layout.fillWidth: true
                    heading: true
                }
                // A Column positioner around the Repeater: on Qt 6.4 a Repeater directly in a Quick
                // Layout whose model changes can make the layout read a freed delegate (a crash in
                // QQuickLayout::effectiveSizePolicy_helper).
                Column {
                    Layout.fillWidth: true

                    Repeater {
                        // A count, not the list: a refresh updates the rows in place.
                        model: page.services.length

                        ServiceRow {
                            required property int index
                            // the table's width, not the Column's: a positioner skips zero-width items,
                            // so rows sized from it would leave it (and themselves) at zero width
                            width: table.width
                            service: page.services[index] || ({})
                        }
                    }
                }
            }
        }
    }
}
