import { defineTool } from './tool.ts';

/** The current date and time in an IANA time zone, from the Worker's clock. */
export const getCurrentTime = defineTool<{ timezone?: string }>({
  name: 'get_current_time',
  description: 'Returns the current date and time in an IANA time zone (e.g. "Europe/Paris"); UTC when none is given.',
  parameters: {
    type: 'object',
    properties: { timezone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone name, e.g. "America/New_York"' } },
    additionalProperties: false,
  },
  hosts: [],
  execute: ({ timezone = 'UTC' }) => {
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-CA', {
        timeZone: timezone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        weekday: 'long',
        timeZoneName: 'longOffset',
      });
    } catch {
      throw new Error(`"${timezone}" is not an IANA time zone (e.g. "Europe/Paris", "America/New_York", "UTC")`);
    }
    const now = new Date();
    const part = (type: Intl.DateTimeFormatPartTypes) => format.formatToParts(now).find((p) => p.type === type)?.value ?? '';
    const offset = part('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace(/^GMT/, '');
    return {
      timezone,
      local_time: `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}${offset}`,
      weekday: part('weekday'),
      utc: now.toISOString(),
    };
  },
});
