# Open311 GeoReport v2 API: errors, service definitions, the administrators' page of API keys.

open311-error-format = Unknown format: add .json or .xml to the resource’s name.
open311-error-not-found = There is no such resource. See discovery.json for the endpoints.
open311-error-api-key = The API key is missing, unknown or revoked. Keys are issued by the platform’s administrators.
open311-error-jurisdiction = This platform does not serve this jurisdiction. Leave jurisdiction_id out or use the one in the platform’s service list.
open311-error-conflict = This key was already used for a different request. Use a new key for each new request.
open311-error-media-type = Send the request as a form (application/x-www-form-urlencoded).
open311-error-method = This resource does not accept this method.
open311-error-too-many-ids = Too many values: at most 100 at once.
open311-error-request-id = Request ids are references such as DN-2026-000123.
open311-error-request = There is no published request with this id.
open311-error-date = Give a W3C date-time with its time zone, e.g. 2026-11-20T18:30:00+02:00, or a date such as 2026-11-20.
open311-error-date-order = The end date comes before the start date.
open311-error-date-span = The dates may span at most 90 days.
open311-error-status = The status may be open, closed, or both, comma-separated.
open311-error-page = The page must be a whole number from 1 to 1000.
open311-error-page-size = The page size must be a whole number from 1 to 1000.
open311-error-service-code-required = Give the service_code of one of the services.
open311-error-service = There is no service with this code. See services.json.
open311-error-attribute-single = This attribute takes one value.
open311-error-attribute-unknown = Unknown attribute: see the service definition for the attributes.
open311-error-yes-no = Answer yes or no.
open311-error-community-region = This community is not in the given jurisdiction.
open311-error-outside-region = The point is not in a community of this platform. Give the community attribute instead.
open311-error-location-required = Give the place: lat and long, or the community attribute.
open311-error-address-only = An address alone cannot be placed: give lat and long, or the community attribute.

open311-key-service = API keys for sending requests are issued by the platform’s administrators to partner systems. Reading the services and the published requests needs no key.
open311-service-notice = Thank you, the report is received. Give the resident the receipt code: it is the only way to follow the report, it is shown only once, and nobody can restore it.
open311-yes = Yes
open311-no = No

open311-attribute-community = In which community (hromada) did it happen?
open311-attribute-community-note = Required unless lat and long are given; then the nearest community is chosen.
open311-attribute-occurred-at = When did it happen?
open311-attribute-occurred-at-note = A date-time with its time zone, e.g. 2026-11-20T18:30:00+02:00, or a date.
open311-attribute-involved = Who was involved: the unit or service, and a badge number if known.
open311-attribute-consent-publish = May a short anonymised summary of the report be published in the public register?
open311-attribute-consent-contact = May the platform contact the resident about this report?
open311-attribute-yes-no-note = yes or no; no when left out.

api-keys-title = API keys
api-keys-lead = Partner systems — a city’s 311 app, a hotline system — send reports through the Open311 GeoReport v2 API with a key. Reading the services and the public register needs no key.
api-keys-endpoint = Address of the API:
api-keys-issued = New API key for
api-keys-issued-advice = Hand it over through a safe channel. It is shown only once: the platform keeps only a fingerprint of it.
api-keys-revoked-notice = The key is revoked: requests with it are refused.
api-keys-none = No keys have been issued yet.
api-keys-key = Key
api-keys-created = Issued
api-keys-revoked = revoked
api-keys-revoke = Revoke
api-keys-issue = New key
api-keys-name = Partner system
api-keys-name-hint = Who receives the key, e.g. “Kramatorsk 311 app”.
api-keys-issue-submit = Issue a key
api-key-error-name-required = Name the partner system that receives the key.
