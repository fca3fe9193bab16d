# API Open311 GeoReport v2: помилки, опис послуг, сторінка ключів API для адміністраторів.

open311-error-format = Невідомий формат: додайте .json або .xml до назви ресурсу.
open311-error-not-found = Такого ресурсу немає. Перелік адрес — у discovery.json.
open311-error-api-key = Ключ API не надано, він невідомий або відкликаний. Ключі видають адміністратори платформи.
open311-error-jurisdiction = Платформа не обслуговує цю юрисдикцію. Не вказуйте jurisdiction_id або вкажіть ту, що в переліку послуг платформи.
open311-error-conflict = Цей ключ уже використано для іншого звернення. Для кожного нового звернення потрібен новий ключ.
open311-error-media-type = Надішліть звернення як форму (application/x-www-form-urlencoded).
open311-error-method = Цей ресурс не приймає такий метод.
open311-error-too-many-ids = Забагато значень: не більше 100 за раз.
open311-error-request-id = Ідентифікатори звернень — це номери на кшталт DN-2026-000123.
open311-error-request = Опублікованого звернення з таким ідентифікатором немає.
open311-error-date = Вкажіть дату й час за W3C із часовим поясом, напр. 2026-11-20T18:30:00+02:00, або дату, напр. 2026-11-20.
open311-error-date-order = Кінцева дата раніша за початкову.
open311-error-date-span = Проміжок між датами — не більше 90 днів.
open311-error-status = Статус: open, closed або обидва через кому.
open311-error-page = Номер сторінки — ціле число від 1 до 1000.
open311-error-page-size = Розмір сторінки — ціле число від 1 до 1000.
open311-error-service-code-required = Вкажіть service_code однієї з послуг.
open311-error-service = Послуги з таким кодом немає. Див. services.json.
open311-error-attribute-single = Цей атрибут приймає одне значення.
open311-error-attribute-unknown = Невідомий атрибут: перелік атрибутів — в описі послуги.
open311-error-yes-no = Відповідь: yes або no.
open311-error-community-region = Ця громада не належить до вказаної юрисдикції.
open311-error-outside-region = Точка не належить до жодної громади платформи. Вкажіть атрибут community.
open311-error-location-required = Вкажіть місце: lat і long або атрибут community.
open311-error-address-only = За самою адресою місце не визначити: вкажіть lat і long або атрибут community.

open311-key-service = Ключі API для надсилання звернень видають адміністратори платформи партнерським системам. Для читання послуг і опублікованих звернень ключ не потрібен.
open311-service-notice = Дякуємо, повідомлення отримано. Передайте заявникові код квитанції: лише з ним можна стежити за повідомленням, він показується один раз і відновити його неможливо.
open311-yes = Так
open311-no = Ні

open311-attribute-community = У якій громаді це сталося?
open311-attribute-community-note = Обов’язково, якщо не вказано lat і long; тоді обирається найближча громада.
open311-attribute-occurred-at = Коли це сталося?
open311-attribute-occurred-at-note = Дата й час із часовим поясом, напр. 2026-11-20T18:30:00+02:00, або дата.
open311-attribute-involved = Хто був причетний: підрозділ чи служба, номер жетона, якщо відомий.
open311-attribute-consent-publish = Чи можна опублікувати короткий знеособлений виклад повідомлення в публічному реєстрі?
open311-attribute-consent-contact = Чи може платформа зв’язатися із заявником щодо цього повідомлення?
open311-attribute-yes-no-note = yes або no; якщо не вказано — no.

api-keys-title = Ключі API
api-keys-lead = Партнерські системи — міський застосунок 311, система гарячої лінії — надсилають повідомлення через API Open311 GeoReport v2 з ключем. Для читання послуг і публічного реєстру ключ не потрібен.
api-keys-endpoint = Адреса API:
api-keys-issued = Новий ключ API для
api-keys-issued-advice = Передайте його безпечним каналом. Він показується лише раз: платформа зберігає тільки його відбиток.
api-keys-revoked-notice = Ключ відкликано: звернення з ним відхиляються.
api-keys-none = Ключів ще не видано.
api-keys-key = Ключ
api-keys-created = Видано
api-keys-revoked = відкликано
api-keys-revoke = Відкликати
api-keys-issue = Новий ключ
api-keys-name = Партнерська система
api-keys-name-hint = Хто отримує ключ, напр. «Застосунок 311 Краматорська».
api-keys-issue-submit = Видати ключ
api-key-error-name-required = Назвіть партнерську систему, яка отримує ключ.
