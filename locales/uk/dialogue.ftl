nav-dialogue = Діалог
dialogue-tabs-label = Розділи діалогу
dialogue-tab-events = Заходи
dialogue-tab-receptions = Спільні прийоми
dialogue-tab-priorities = Пріоритети громад
dialogue-tab-commitments = Зобов’язання
