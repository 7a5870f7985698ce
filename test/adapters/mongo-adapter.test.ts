/**
 * The storage conformance suite against the Mongo adapter on a real MongoDB-protocol server
 * (FerretDB started by the global setup, or MONGODB_URI): each test gets a fresh collection
 * prefix in this file's database, which is dropped after the file.
 */
import { runAdapterConformance } from '../../lib/testing';
import { mongo } from '../support/adapters';

runAdapterConformance(() => mongo.create(), { label: 'MongoAdapter' });
