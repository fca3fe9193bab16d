# API Open311 GeoReport v2: ошибки, описание услуг, страница ключей API для администраторов.

open311-error-format = Неизвестный формат: добавьте .json или .xml к названию ресурса.
open311-error-not-found = Такого ресурса нет. Перечень адресов — в discovery.json.
open311-error-api-key = Ключ API не передан, неизвестен или отозван. Ключи выдают администраторы платформы.
open311-error-jurisdiction = Платформа не обслуживает эту юрисдикцию. Не указывайте jurisdiction_id или укажите ту, что в перечне услуг платформы.
open311-error-conflict = Этот ключ уже использован для другого обращения. Для каждого нового обращения нужен новый ключ.
open311-error-media-type = Отправьте обращение как форму (application/x-www-form-urlencoded).
open311-error-method = Этот ресурс не принимает такой метод.
open311-error-too-many-ids = Слишком много значений: не больше 100 за раз.
open311-error-request-id = Идентификаторы обращений — это номера вроде DN-2026-000123.
open311-error-request = Опубликованного обращения с таким идентификатором нет.
open311-error-date = Укажите дату и время по W3C с часовым поясом, напр. 2026-11-20T18:30:00+02:00, или дату, напр. 2026-11-20.
open311-error-date-order = Конечная дата раньше начальной.
open311-error-date-span = Промежуток между датами — не больше 90 дней.
open311-error-status = Статус: open, closed или оба через запятую.
open311-error-page = Номер страницы — целое число от 1 до 1000.
open311-error-page-size = Размер страницы — целое число от 1 до 1000.
open311-error-service-code-required = Укажите service_code одной из услуг.
open311-error-service = Услуги с таким кодом нет. См. services.json.
open311-error-attribute-single = Этот атрибут принимает одно значение.
open311-error-attribute-unknown = Неизвестный атрибут: перечень атрибутов — в описании услуги.
open311-error-yes-no = Ответ: yes или no.
open311-error-community-region = Эта громада не относится к указанной юрисдикции.
open311-error-outside-region = Точка не относится ни к одной громаде платформы. Укажите атрибут community.
open311-error-location-required = Укажите место: lat и long или атрибут community.
open311-error-address-only = По одному адресу место не определить: укажите lat и long или атрибут community.

open311-key-service = Ключи API для отправки обращений выдают администраторы платформы партнёрским системам. Для чтения услуг и опубликованных обращений ключ не нужен.
open311-service-notice = Спасибо, сообщение получено. Передайте заявителю код квитанции: только с ним можно следить за сообщением, он показывается один раз и восстановить его невозможно.
open311-yes = Да
open311-no = Нет

open311-attribute-community = В какой громаде это произошло?
open311-attribute-community-note = Обязательно, если не указаны lat и long; тогда выбирается ближайшая громада.
open311-attribute-occurred-at = Когда это произошло?
open311-attribute-occurred-at-note = Дата и время с часовым поясом, напр. 2026-11-20T18:30:00+02:00, или дата.
open311-attribute-involved = Кто был причастен: подразделение или служба, номер жетона, если известен.
open311-attribute-consent-publish = Можно ли опубликовать краткое обезличенное изложение сообщения в публичном реестре?
open311-attribute-consent-contact = Может ли платформа связаться с заявителем по этому сообщению?
open311-attribute-yes-no-note = yes или no; если не указано — no.

api-keys-title = Ключи API
api-keys-lead = Партнёрские системы — городское приложение 311, система горячей линии — отправляют сообщения через API Open311 GeoReport v2 с ключом. Для чтения услуг и публичного реестра ключ не нужен.
api-keys-endpoint = Адрес API:
api-keys-issued = Новый ключ API для
api-keys-issued-advice = Передайте его по безопасному каналу. Он показывается только один раз: платформа хранит лишь его отпечаток.
api-keys-revoked-notice = Ключ отозван: обращения с ним отклоняются.
api-keys-none = Ключи ещё не выдавались.
api-keys-key = Ключ
api-keys-created = Выдан
api-keys-revoked = отозван
api-keys-revoke = Отозвать
api-keys-issue = Новый ключ
api-keys-name = Партнёрская система
api-keys-name-hint = Кто получает ключ, напр. «Приложение 311 Краматорска».
api-keys-issue-submit = Выдать ключ
api-key-error-name-required = Назовите партнёрскую систему, которая получает ключ.
