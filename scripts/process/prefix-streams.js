// Which JetStream streams on a shared NATS belong to one bus prefix: what `npm run reset` deletes.
'use strict';

/**
 * The streams of prefix among the stream infos of a NATS server: its events and evidence streams,
 * its object-store and key-value buckets (reports snapshot, evidence bodies, extraBuckets), and any
 * other stream whose subjects all lie under "<prefix>.". A prefix that merely starts the same
 * ("chaperone" and "chaperone-e2e") shares no stream.
 */
function streamsOfPrefix(prefix, infos, extraBuckets = []) {
  const { busSubjects } = require('@chaperone/contracts');
  const { defaultBlobBucket } = require('@chaperone/service-runtime');
  const subjects = busSubjects(prefix);
  const buckets = [subjects.reportsSnapshotBucket, defaultBlobBucket(subjects), ...extraBuckets];
  const names = new Set([subjects.eventsStream, subjects.evidenceStream, ...buckets.flatMap((b) => [`OBJ_${b}`, `KV_${b}`])]);
  const underPrefix = (subject) => subject.startsWith(`${prefix}.`);
  return infos.filter((info) => {
    const own = info.config.subjects ?? [];
    return names.has(info.config.name) || (own.length > 0 && own.every(underPrefix));
  });
}

module.exports = { streamsOfPrefix };
