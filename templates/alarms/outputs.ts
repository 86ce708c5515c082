/**
 * The outputs of 33.app-alarms that the CLI reads (`provision outputs`), named once. Kept apart from
 * the template's builder so that reading them loads no template code.
 */
export const AlarmOutputs = {
  /** The dashboard's console URL. */
  dashboardUrl: 'DashboardUrl',
  /** The topic every alarm notifies. */
  topicArn: 'AlarmTopicArn',
  /** The address subscribed; AWS mails it a confirmation link first. */
  email: 'AlarmEmail',
} as const;

/** What `provision outputs` says under an alarms stack's e-mail: nothing arrives until it is confirmed. */
export function confirmationNote(email: string): string {
  return `AWS mailed ${email} a confirmation link: alarms reach it only once the link is followed (check spam too)`;
}
